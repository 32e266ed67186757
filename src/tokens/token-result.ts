import {EntraToolError} from '../errors.js'
import type {TokenResult} from '../flows/contract.js'

/** No Entra token lives longer than a day; anything claiming more is clamped to this. */
export const MAX_LIFETIME_MS = 24 * 60 * 60_000
/** What MSAL assumes when an answer gives no lifetime. */
const DEFAULT_LIFETIME_MS = 60 * 60_000

/** The `exp` of a JWT access token in epoch ms, or undefined when the token is opaque or has none. */
export function jwtExpiry(token: string): number | undefined {
  const payload = token.split('.')
  if (payload.length !== 3) return undefined
  try {
    const {exp} = JSON.parse(Buffer.from(payload[1], 'base64url').toString('utf8')) as {exp?: unknown}
    return typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 : undefined
  } catch {
    return undefined
  }
}

/**
 * The expiry to trust: the local one (issue time + expires_in), but never later than the JWT's own
 * `exp` (a clock that was fast when the token arrived must not keep it alive past exp), and never
 * past a day from now (an `expires_in` of 1e20 is a lie, not a date).
 */
export function trustedExpiry(accessToken: string, expiresOn: number, now = Date.now()): number {
  const local = Number.isFinite(expiresOn) ? Math.min(expiresOn, now + MAX_LIFETIME_MS) : now + DEFAULT_LIFETIME_MS
  const exp = jwtExpiry(accessToken)
  return exp === undefined ? local : Math.min(local, exp)
}

/**
 * Every token result entering the core, from any flow or plugin, passes here: one without a
 * usable access token is malformed (exit 7, nothing cached or printed); the expiry is made
 * trustworthy. `source` names the flow for the message.
 */
export function checkTokenResult(result: unknown, source: string, now = Date.now()): TokenResult {
  const r = result as Partial<TokenResult> | null | undefined
  const problem =
    typeof r !== 'object' || r === null
      ? 'no result'
      : typeof r.accessToken !== 'string' || r.accessToken === ''
        ? 'no access token'
        : /[\s\u0000-\u001F\u007F]/.test(r.accessToken) // eslint-disable-line no-control-regex
          ? 'an access token with spaces or control characters'
          : undefined
  if (problem) {
    throw new EntraToolError('network', `the flow '${source}' returned ${problem}: the authority's answer was not a valid token response`, {
      next: 'the authority (or a proxy in between) answered without a token; check --authority and HTTPS_PROXY, and try again',
    })
  }

  const token = r as TokenResult
  const expiresOn = token.expiresOn instanceof Date ? token.expiresOn.getTime() : Number.NaN
  return {
    ...token,
    account: token.account ?? null,
    expiresOn: new Date(trustedExpiry(token.accessToken, expiresOn, now)),
    scopes: Array.isArray(token.scopes) ? token.scopes.filter((s) => typeof s === 'string') : [],
    tenantId: typeof token.tenantId === 'string' ? token.tenantId : '',
  }
}
