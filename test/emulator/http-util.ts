import {randomUUID} from 'node:crypto'
import type {IncomingMessage, ServerResponse} from 'node:http'

import {EntraError, errorBody, type TraceContext} from './errors.js'
import type {RequestLogEntry} from './types.js'

export interface Ctx {
  req: IncomingMessage
  res: ServerResponse
  url: URL
  query: URLSearchParams
  /** Form body of a POST (x-www-form-urlencoded); empty otherwise. */
  form: URLSearchParams
  rawBody: string
  trace: TraceContext
  log: RequestLogEntry
}

const MAX_BODY = 1024 * 1024
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > MAX_BODY) {
        reject(new EntraError(413, 'invalid_request', undefined, 'Request body too large.'))
        req.destroy()
        return
      }
      chunks.push(chunk)
    })
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

/** Entra echoes a GUID client-request-id as the correlation id and always sends its own request id. */
export function traceFor(req: IncomingMessage, res: ServerResponse, baseUrl: string): TraceContext {
  const sent = req.headers['client-request-id']
  const clientRequestId = Array.isArray(sent) ? sent[0] : sent
  const traceId = randomUUID()
  res.setHeader('x-ms-request-id', traceId)
  res.setHeader('x-ms-ests-server', 'entratool-emulator')
  if (clientRequestId) res.setHeader('client-request-id', clientRequestId)
  const correlationId = clientRequestId && GUID.test(clientRequestId) ? clientRequestId : randomUUID()
  return {traceId, correlationId, baseUrl}
}

export function sendJson(ctx: Ctx, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const payload = JSON.stringify(body)
  ctx.res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store, no-cache',
    pragma: 'no-cache',
    'content-length': Buffer.byteLength(payload),
    ...headers,
  })
  ctx.res.end(payload)
}

export function sendError(ctx: Ctx, err: EntraError, headers: Record<string, string> = {}): void {
  sendJson(ctx, err.status, errorBody(err, ctx.trace), headers)
}

export function sendHtml(ctx: Ctx, status: number, html: string): void {
  ctx.res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store, no-cache',
    'x-frame-options': 'DENY',
    'content-length': Buffer.byteLength(html),
  })
  ctx.res.end(html)
}

export function redirect(ctx: Ctx, location: string): void {
  ctx.res.writeHead(302, {location, 'cache-control': 'no-store, no-cache', 'content-length': 0})
  ctx.res.end()
}

/** Query parameters overlaid by form fields: the scripted sign-in may send either. */
export function allParams(ctx: Ctx): URLSearchParams {
  const merged = new URLSearchParams(ctx.query)
  for (const [key, value] of ctx.form) merged.set(key, value)
  return merged
}
