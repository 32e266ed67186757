/**
 * Client assertions (RFC 7523) signed with node:crypto: the plugin cannot rely on the core's jose.
 * A new assertion, with its own jti, is signed for every token request.
 */
import {constants, type KeyObject, randomUUID, sign} from 'node:crypto'

/** Entra accepts assertions valid for at most 10 minutes; ask for no more. */
export const ASSERTION_LIFETIME_SECONDS = 600

export interface AssertionSigner {
  key: KeyObject
  /** SHA-256 thumbprint of the certificate's DER, base64url: the `x5t#S256` header. */
  thumbprintSha256: string
  /** Base64 DER certificates, leaf first: the `x5c` header, for subject name/issuer authentication. */
  x5c?: string[]
}

const b64url = (value: Buffer | string) => Buffer.from(value).toString('base64url')

export function signClientAssertion(signer: AssertionSigner, claims: {audience: string; clientId: string; now: number}): string {
  // Entra takes RS256 and PS256 only; an RSA-PSS key cannot make PKCS#1 v1.5 signatures.
  const pss = signer.key.asymmetricKeyType === 'rsa-pss'
  const header = {alg: pss ? 'PS256' : 'RS256', typ: 'JWT', 'x5t#S256': signer.thumbprintSha256, ...(signer.x5c ? {x5c: signer.x5c} : {})}
  const now = Math.floor(claims.now / 1000)
  const payload = {aud: claims.audience, exp: now + ASSERTION_LIFETIME_SECONDS, iat: now, iss: claims.clientId, jti: randomUUID(), nbf: now, sub: claims.clientId}
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`
  const key = pss ? {key: signer.key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32} : signer.key
  return `${input}.${b64url(sign('sha256', Buffer.from(input), key))}`
}
