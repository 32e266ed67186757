import {FEDERATED_AUDIENCE} from './constants.js'
import {publicJwk, randomId, signJwt, type SigningKey} from './jwt.js'
import type {MintFederatedTokenOptions} from './types.js'

/**
 * A stand-in for an external identity provider (Kubernetes, GitHub Actions…) whose tokens an app
 * trusts through a federated identity credential; tests write its tokens to AZURE_FEDERATED_TOKEN_FILE.
 */
export class OidcIssuer {
  readonly url: string

  constructor(
    baseUrl: string,
    readonly key: SigningKey,
  ) {
    this.url = `${baseUrl}/_emulator/oidc`
  }

  mint(options: MintFederatedTokenOptions): string {
    if (!options || typeof options.subject !== 'string' || !options.subject) throw new Error('mintFederatedToken needs a subject')
    const now = Math.floor(Date.now() / 1000)
    return signJwt(this.key, {
      iss: this.url,
      sub: options.subject,
      aud: options.audience ?? FEDERATED_AUDIENCE,
      iat: now,
      nbf: now,
      exp: now + (options.lifetimeSeconds ?? 3600),
      jti: randomId(16),
    })
  }

  discovery(): Record<string, unknown> {
    return {
      issuer: this.url,
      jwks_uri: `${this.url}/keys`,
      response_types_supported: ['id_token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
    }
  }

  jwks(): {keys: Record<string, unknown>[]} {
    return {keys: [publicJwk(this.key, {alg: 'RS256'})]}
  }
}
