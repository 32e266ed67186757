import {createHash, createPublicKey, randomBytes, sign, type KeyObject} from 'node:crypto'

export interface SigningKey {
  privateKey: KeyObject
  kid: string
  /** Present for keys published with a certificate, as Entra's are. */
  x5t?: string
  x5c?: string
}

export function b64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url')
}

export function digest(algorithm: 'sha1' | 'sha256', data: Buffer | string): Buffer {
  return createHash(algorithm).update(data).digest()
}

export function randomId(bytes = 32): string {
  return randomBytes(bytes).toString('base64url')
}

// Signing is synchronous (node:crypto) so control methods such as mintFederatedToken can stay synchronous.
export function signJwt(key: SigningKey, payload: Record<string, unknown>): string {
  const header: Record<string, string> = {typ: 'JWT', alg: 'RS256', kid: key.kid}
  if (key.x5t) header.x5t = key.x5t
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`
  return `${input}.${b64url(sign('sha256', Buffer.from(input), key.privateKey))}`
}

export function publicJwk(key: SigningKey, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const {n, e} = createPublicKey(key.privateKey).export({format: 'jwk'})
  const jwk: Record<string, unknown> = {kty: 'RSA', use: 'sig', kid: key.kid}
  if (key.x5t) jwk.x5t = key.x5t
  Object.assign(jwk, {n, e})
  if (key.x5c) jwk.x5c = [key.x5c]
  return {...jwk, ...extra}
}

export function decodeJwtPart(token: string, index: 0 | 1): Record<string, unknown> | undefined {
  const part = token.split('.')[index]
  if (!part) return undefined
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'))
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

/** A GUID derived from a name, so service principal ids and pairwise subjects are stable across runs. */
export function stableGuid(...parts: string[]): string {
  const h = digest('sha256', parts.join('\u0000')).subarray(0, 16)
  h[6] = (h[6] & 0x0f) | 0x50
  h[8] = (h[8] & 0x3f) | 0x80
  const hex = h.toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}
