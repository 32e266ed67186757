import type {IncomingMessage, ServerResponse} from 'node:http'

import {readBody} from './http-util.js'
import type {AppRegistrationInput, DeviceCodeBehavior, EmulatorControl, FaultSpec, MintFederatedTokenOptions} from './types.js'

export const CONTROL_PREFIX = '/_emulator'

type Route = (body: Record<string, unknown>) => unknown

function routes(control: EmulatorControl, info: () => Record<string, unknown>): Record<string, Route> {
  const call = (fn: () => void) => {
    fn()
    return {ok: true}
  }
  // Shapes are checked by the control methods themselves, which also serve in-process callers.
  return {
    'GET /health': () => ({ok: true, ...info()}),
    'POST /apps': (b) => call(() => control.registerApp(b as unknown as AppRegistrationInput)),
    'POST /token-lifetime': (b) => call(() => control.setTokenLifetime(b.seconds as number)),
    'POST /refresh-token-lifetime': (b) => call(() => control.setRefreshTokenLifetime(b.seconds as number)),
    'POST /expire-refresh-tokens': () => call(() => control.expireRefreshTokens()),
    'POST /device-code-behavior': (b) => call(() => control.setDeviceCodeBehavior(b as unknown as DeviceCodeBehavior)),
    'POST /faults': (b) => call(() => control.injectFault(b as unknown as FaultSpec)),
    'DELETE /faults': () => call(() => control.clearFaults()),
    'GET /requests': () => control.requests(),
    'DELETE /requests': () => call(() => control.clearRequests()),
    'POST /reset': () => call(() => control.reset()),
    'POST /federated-token': (b) => ({token: control.mintFederatedToken(b as unknown as MintFederatedTokenOptions)}),
    'POST /clock-skew': (b) => call(() => control.setClockSkew(b.seconds as number)),
  }
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body)
  res.writeHead(status, {'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(payload)})
  res.end(payload)
}

/** JSON control API so a separate process (the demo, a benchmark) can drive the emulator. */
export function createControlHandler(control: EmulatorControl, info: () => Record<string, unknown>) {
  const table = routes(control, info)
  return async (req: IncomingMessage, res: ServerResponse, path: string): Promise<void> => {
    const route = table[`${req.method} ${path.slice(CONTROL_PREFIX.length)}`]
    if (!route) return reply(res, 404, {error: `no control endpoint ${req.method} ${path}`})
    let body: Record<string, unknown> = {}
    try {
      const raw = await readBody(req)
      if (raw.trim()) body = JSON.parse(raw) as Record<string, unknown>
    } catch {
      return reply(res, 400, {error: 'body must be JSON'})
    }
    try {
      reply(res, 200, route(body))
    } catch (err) {
      reply(res, 400, {error: err instanceof Error ? err.message : String(err)})
    }
  }
}
