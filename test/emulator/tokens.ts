import {DEFAULT_TENANT_ID} from './constants.js'
import {b64url, digest, randomId, signJwt, type SigningKey} from './jwt.js'
import type {ScopeRequest} from './scopes.js'
import type {AppRegistration, EmulatorState, User} from './state.js'

/** How the client proved itself: Entra's azpacr (0 public, 1 secret, 2 certificate or assertion). */
export type ClientAuthLevel = '0' | '1' | '2'

export interface DelegatedGrant {
  app: AppRegistration
  user: User
  scopes: ScopeRequest
  authLevel: ClientAuthLevel
  nonce?: string
  clientInfo: boolean
  /** The request's `claims` parameter: client capabilities (xms_cc) and a challenge's acrs land in the token. */
  claims?: string | null
}

/**
 * What a `claims` request puts into the access token, as Entra does for CAE-capable clients:
 * `xms_cc` from `access_token.xms_cc.values`, `acrs` from a challenge's `access_token.acrs`.
 */
export function requestedClaims(claims: string | null | undefined): Record<string, unknown> {
  if (!claims) return {}
  let parsed: {access_token?: {acrs?: {value?: unknown; values?: unknown}; xms_cc?: {values?: unknown}}}
  try {
    parsed = JSON.parse(claims)
  } catch {
    return {}
  }
  const out: Record<string, unknown> = {}
  const cc = parsed?.access_token?.xms_cc?.values
  if (Array.isArray(cc) && cc.every((v) => typeof v === 'string')) out.xms_cc = cc
  const acrs = parsed?.access_token?.acrs
  const values = acrs?.values ?? (acrs?.value === undefined ? undefined : [acrs.value])
  if (Array.isArray(values) && values.every((v) => typeof v === 'string')) out.acrs = values
  return out
}

export class TokenIssuer {
  readonly issuer: string

  constructor(
    private readonly state: EmulatorState,
    private readonly key: SigningKey,
    baseUrl: string,
  ) {
    this.issuer = `${baseUrl}/${DEFAULT_TENANT_ID}/v2.0`
  }

  delegated(grant: DelegatedGrant): Record<string, unknown> {
    const {app, user, scopes} = grant
    const now = Math.floor(Date.now() / 1000)
    const lifetime = this.state.tokenLifetime
    const accessToken = signJwt(this.key, {
      aud: scopes.resource,
      iss: this.issuer,
      iat: now,
      nbf: now,
      exp: now + lifetime,
      amr: ['pwd'],
      appid: app.clientId,
      azp: app.clientId,
      azpacr: grant.authLevel,
      name: user.name,
      oid: user.oid,
      preferred_username: user.username,
      scp: scopes.names.join(' '),
      sub: pairwiseSubject(user, app),
      tid: DEFAULT_TENANT_ID,
      uti: randomId(16),
      ver: '2.0',
      ...requestedClaims(grant.claims),
    })
    const body: Record<string, unknown> = {
      token_type: 'Bearer',
      scope: [...scopes.granted, ...scopes.oidc].join(' '),
      expires_in: lifetime,
      ext_expires_in: lifetime,
      access_token: accessToken,
    }
    if (scopes.oidc.includes('offline_access')) body.refresh_token = this.refreshToken(app.clientId, user)
    if (scopes.oidc.includes('openid')) body.id_token = this.idToken(grant, now)
    if (grant.clientInfo) body.client_info = b64url(JSON.stringify({uid: user.oid, utid: DEFAULT_TENANT_ID}))
    return body
  }

  appOnly(app: AppRegistration, resource: string, authLevel: ClientAuthLevel): Record<string, unknown> {
    const now = Math.floor(Date.now() / 1000)
    const lifetime = this.state.tokenLifetime
    const claims: Record<string, unknown> = {
      aud: resource,
      iss: this.issuer,
      iat: now,
      nbf: now,
      exp: now + lifetime,
      appid: app.clientId,
      azp: app.clientId,
      azpacr: authLevel,
      idtyp: 'app',
      oid: app.servicePrincipalId,
      sub: app.servicePrincipalId,
      tid: DEFAULT_TENANT_ID,
      uti: randomId(16),
      ver: '2.0',
    }
    // Entra leaves `roles` out entirely when the app holds no application permission.
    if (app.roles.length > 0) claims.roles = [...app.roles]
    // Entra's client-credentials response has no `scope`; MSAL falls back to the requested scopes.
    return {token_type: 'Bearer', expires_in: lifetime, ext_expires_in: lifetime, access_token: signJwt(this.key, claims)}
  }

  private idToken(grant: DelegatedGrant, now: number): string {
    const {app, user} = grant
    const claims: Record<string, unknown> = {
      aud: app.clientId,
      iss: this.issuer,
      iat: now,
      nbf: now,
      exp: now + 3600,
      name: user.name,
      oid: user.oid,
      preferred_username: user.username,
      sub: pairwiseSubject(user, app),
      tid: DEFAULT_TENANT_ID,
      ver: '2.0',
    }
    if (grant.nonce) claims.nonce = grant.nonce
    return signJwt(this.key, claims)
  }

  private refreshToken(clientId: string, user: User): string {
    const token = `1.${randomId(48)}`
    const now = Date.now()
    this.state.refreshTokens.set(token, {
      clientId,
      user,
      seq: ++this.state.refreshSeq,
      issuedAt: now,
      expiresAt: now + this.state.refreshTokenLifetime * 1000,
    })
    return token
  }
}

/** Entra's `sub` differs per application for the same user. */
function pairwiseSubject(user: User, app: AppRegistration): string {
  return b64url(digest('sha256', `${user.oid}:${app.clientId}`)).slice(0, 43)
}
