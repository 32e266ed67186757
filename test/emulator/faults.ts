import {EntraError} from './errors.js'
import {sendError, type Ctx} from './http-util.js'
import type {ActiveFault, EmulatorState} from './state.js'
import type {EndpointName, FaultEndpoint, FaultKind} from './types.js'

export const FAULT_ENDPOINTS: readonly FaultEndpoint[] = ['token', 'devicecode', 'authorize', 'openid-configuration', 'keys', '*']
export const FAULT_KINDS: readonly FaultKind[] = [500, 503, 429, 'slow', 'drop', 'malformed', 'error', 'body']

/** Consumes one use of the first fault armed for this endpoint. */
export function takeFault(state: EmulatorState, endpoint: EndpointName): ActiveFault | undefined {
  const fault = state.faults.find((f) => f.remaining > 0 && (f.endpoint === endpoint || f.endpoint === '*'))
  if (!fault) return undefined
  fault.remaining--
  state.faults = state.faults.filter((f) => f.remaining > 0)
  return fault
}

/**
 * Answers the request with the fault. Returns true when the request is finished; false when the
 * normal handler should still run (a slow answer is just a late one).
 */
export async function applyFault(ctx: Ctx, fault: ActiveFault, delay: (ms: number) => Promise<void>): Promise<boolean> {
  const retryAfter: Record<string, string> = fault.retryAfter !== undefined ? {'retry-after': String(fault.retryAfter)} : {}
  switch (fault.kind) {
    case 500:
      sendError(ctx, new EntraError(500, 'server_error', 50000, 'There was an error issuing a token or an issue with our sign-in service.'), retryAfter)
      return true
    case 503:
      sendError(ctx, new EntraError(503, 'temporarily_unavailable', 90033, 'A transient error has occurred. Please try again.'), retryAfter)
      return true
    case 429:
      sendError(ctx, new EntraError(429, 'temporarily_unavailable', 90055, 'There are too many incoming requests. Please try again later.'), {
        'retry-after': String(fault.retryAfter ?? 1),
      })
      return true
    case 'slow':
      await delay(fault.delayMs ?? 2000)
      return false
    case 'drop':
      // Part of a status line and headers, then a reset: the client sees a broken connection mid-answer.
      ctx.log.status = 0
      ctx.req.socket.write('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Len', () => ctx.req.socket.destroy())
      return true
    case 'error':
      sendError(ctx, new EntraError(fault.status ?? 400, fault.error ?? 'invalid_request', fault.code, fault.description ?? 'The request was refused.'), retryAfter)
      return true
    case 'malformed': {
      const body = '{"token_type":"Bearer","expires_in":3599,"access_token":"eyJ0eXAiOiJKV1Qi'
      ctx.res.writeHead(200, {'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body)})
      ctx.res.end(body)
      return true
    }

    case 'body': {
      const body = fault.body ?? ''
      ctx.log.status = fault.status ?? 200
      ctx.res.writeHead(fault.status ?? 200, {'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body)})
      ctx.res.end(body)
      return true
    }
  }
}
