/**
 * The HTTP side of `serve-identity` and `exec`: a small server that answers the App Service
 * managed-identity protocol from a TokenMemory over a token source. Hardened against what a
 * local endpoint meets: browsers (Origin refused), other methods, a wrong or missing secret,
 * and slow or huge requests (header, body and time limits), so no client can block the others.
 */
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'

import {IDENTITY_PATH, isRefusal, parseTokenAsk, type Refusal, scopeFor, type Selector} from './protocol.js'
import {type ServedToken, type TokenOrigin, TokenMemory} from './token-memory.js'

/** Limits that keep one slow or greedy client from holding the server. */
export const LIMITS = {
  bodyBytes: 4096,
  headerBytes: 8192,
  headersTimeoutMs: 5000,
  keepAliveTimeoutMs: 5000,
  maxConnections: 256,
  requestTimeoutMs: 10_000,
}

export interface ServedProfile {
  name: string
  clientId: string
}

/** Where tokens come from (the TokenService in the CLI, a fake in unit tests). */
export interface IdentityTokenSource {
  token(profile: string, scope: string): Promise<{token: ServedToken; fromCache: boolean}>
}

/** An upstream failure, said in one sentence for the client's error message. */
export interface UpstreamFailure {
  message: string
  correlationId?: string
}

export interface IdentityServerOptions {
  /** The first one answers requests without an identity parameter. */
  profiles: ServedProfile[]
  secret: string
  source: IdentityTokenSource
  minValidityMs: number
  /** When given, only these resources are served (exact match). */
  allowResources?: string[]
  /** One line per answer; never a token or the secret. */
  audit: (line: string) => void
  /** Turns a token-source error into what the client is told. */
  describeFailure: (error: unknown) => UpstreamFailure
  now?: () => number
}

interface Answer {
  status: number
  body: Record<string, unknown>
  headers?: Record<string, string>
  profile?: string
  origin?: TokenOrigin
  resource?: string
}

export class IdentityServer {
  private readonly memory: TokenMemory
  private readonly server: Server
  private readonly now: () => number

  constructor(private readonly options: IdentityServerOptions) {
    this.now = options.now ?? Date.now
    this.memory = new TokenMemory(options.minValidityMs, this.now)
    this.server = createServer(
      {
        connectionsCheckingInterval: 1000,
        headersTimeout: LIMITS.headersTimeoutMs,
        keepAliveTimeout: LIMITS.keepAliveTimeoutMs,
        maxHeaderSize: LIMITS.headerBytes,
        requestTimeout: LIMITS.requestTimeoutMs,
      },
      (req, res) => void this.handle(req, res),
    )
    this.server.maxConnections = LIMITS.maxConnections
  }

  /** Listens and resolves with the endpoint URL (the port is the kernel's choice when 0). */
  listen(host: string, port: number): Promise<string> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject)
      this.server.listen({host, port}, () => {
        this.server.off('error', reject)
        const address = this.server.address() as AddressInfo
        const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address
        resolve(`http://${shownHost}:${address.port}${IDENTITY_PATH}`)
      })
    })
  }

  /** Stops listening and drops every connection: no socket is left behind. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve())
      this.server.closeAllConnections()
    })
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = this.now()
    let answer: Answer
    try {
      const body = await readBody(req, LIMITS.bodyBytes)
      answer = body === undefined ? fromRefusal({headers: {Connection: 'close'}, message: `the request body is over ${LIMITS.bodyBytes} bytes`, status: 413}) : await this.answer(req, body)
    } catch (error) {
      answer = fromRefusal({message: `the request could not be read: ${(error as Error).message}`, status: 400})
    }

    const json = JSON.stringify(answer.body)
    if (!res.destroyed) {
      res.writeHead(answer.status, {'Cache-Control': 'no-store', 'Content-Length': Buffer.byteLength(json), 'Content-Type': 'application/json; charset=utf-8', ...answer.headers})
      res.end(json)
    }

    this.audit(req, answer, this.now() - started)
  }

  private async answer(req: IncomingMessage, body: string): Promise<Answer> {
    const ask = parseTokenAsk({body, headers: req.headers, method: req.method ?? '', url: req.url ?? '/'}, this.options.secret)
    if (isRefusal(ask)) return fromRefusal(ask)
    const profile = this.profileFor(ask.selector)
    if (!profile) {
      // SDKs read 400 as "no such identity here" and move on along their credential chain.
      return fromRefusal({message: `identity ${ask.selector!.kind}=${ask.selector!.value} is not served here`, status: 400})
    }

    const {allowResources} = this.options
    if (allowResources && !allowResources.includes(ask.resource)) {
      return {...fromRefusal({message: `resource '${ask.resource}' is not in this server's --allow-resource list`, status: 403}), profile: profile.name, resource: ask.resource}
    }

    try {
      const {origin, token} = await this.memory.get(`${profile.name}\n${ask.resource}`, () => this.options.source.token(profile.name, scopeFor(ask.resource)))
      return {
        body: {
          access_token: token.accessToken,
          client_id: profile.clientId,
          // Epoch seconds as a string, as App Service sends it; msal-node computes expires_in from it.
          expires_on: String(Math.floor(token.expiresOn.getTime() / 1000)),
          resource: ask.resource,
          token_type: 'Bearer',
        },
        origin,
        profile: profile.name,
        resource: ask.resource,
        status: 200,
      }
    } catch (error) {
      const failure = this.options.describeFailure(error)
      return {body: {correlationId: failure.correlationId, message: failure.message, statusCode: 500}, profile: profile.name, resource: ask.resource, status: 500}
    }
  }

  private profileFor(selector: Selector | undefined): ServedProfile | undefined {
    const {profiles} = this.options
    if (!selector) return profiles[0]
    if (selector.kind !== 'client_id') return undefined
    return profiles.find((p) => p.clientId.toLowerCase() === selector.value.toLowerCase())
  }

  private audit(req: IncomingMessage, answer: Answer, ms: number): void {
    const fields = [
      new Date(this.now()).toISOString(),
      `status=${answer.status}`,
      `client=${req.socket.remoteAddress ?? '?'}:${req.socket.remotePort ?? '?'}`,
      `method=${req.method ?? '?'}`,
      answer.resource === undefined ? undefined : `resource=${answer.resource}`,
      answer.profile === undefined ? undefined : `profile=${answer.profile}`,
      answer.origin === undefined ? undefined : `from=${answer.origin}`,
      answer.status === 200 ? undefined : `reason=${JSON.stringify(answer.body.message)}`,
      `ms=${ms}`,
    ]
    this.options.audit(`identity: ${fields.filter(Boolean).join(' ')}`)
  }
}

function fromRefusal(refusal: Refusal): Answer {
  return {body: {message: refusal.message, statusCode: refusal.status}, headers: refusal.headers, status: refusal.status}
}

/** The body as text, or undefined when it is over `limit` bytes (the rest is not read). */
function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  const declared = Number(req.headers['content-length'] ?? 0)
  if (declared > limit) return Promise.resolve(undefined)
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > limit) {
        req.removeAllListeners('data')
        req.pause()
        resolve(undefined)
        return
      }

      chunks.push(chunk)
    })
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}
