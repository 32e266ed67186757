import {usageError} from '../errors.js'
import {formatDuration} from '../lib/duration.js'
import {localTime} from '../lib/time.js'

const MAX_JWT_CHARS = 1024 * 1024

export interface DecodedJwt {
  header: Record<string, unknown>
  claims: Record<string, unknown>
}

/** Decodes (never verifies) a JWT; anything that is not one is a usage error. */
export async function decodeToken(input: string): Promise<DecodedJwt> {
  const token = input.trim()
  if (token.length > MAX_JWT_CHARS) throw usageError(`not a JWT: the input is ${Math.round(token.length / 1024)} KB, larger than any access token`)
  if (!/^[\w-]+\.[\w-]+\.[\w-]*$/.test(token)) throw usageError('not a JWT: expected three base64url parts separated by dots (header.payload.signature)')
  const {decodeJwt, decodeProtectedHeader} = await import('jose')
  try {
    return {claims: decodeJwt(token) as Record<string, unknown>, header: decodeProtectedHeader(token) as Record<string, unknown>}
  } catch (error) {
    throw usageError(`not a JWT: ${(error as Error).message}`)
  }
}

/** The human summary: who issued it, for what, and how long it has left. */
export function summarize(jwt: DecodedJwt, now = Date.now()): string[] {
  const c = jwt.claims
  const lines: string[] = []
  const add = (label: string, value: unknown) => {
    if (value !== undefined && value !== null && value !== '') lines.push(`${label.padEnd(12)}${Array.isArray(value) ? value.join(' ') : String(value)}`)
  }

  add('Audience', c.aud)
  add('Issuer', c.iss)
  add('Tenant', c.tid)
  add('Subject', c.preferred_username ?? c.upn ?? c.sub)
  add('App', c.azp ?? c.appid)
  add('Scopes', c.scp)
  add('Roles', c.roles)
  // CAE: the client capabilities Entra saw (cp1) and an authentication context a challenge asked for.
  add('xms_cc', c.xms_cc)
  add('acrs', c.acrs)
  for (const [label, claim] of [['Issued', 'iat'], ['Not before', 'nbf'], ['Expires', 'exp']] as const) {
    if (typeof c[claim] === 'number') {
      const date = new Date((c[claim] as number) * 1000)
      add(label, localTime(date))
    }
  }

  if (typeof c.exp === 'number') {
    const left = c.exp * 1000 - now
    add('Time left', left > 0 ? formatDuration(left) : `expired ${formatDuration(-left)} ago`)
  }

  return lines
}
