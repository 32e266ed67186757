import {createHash} from 'node:crypto'

import {authenticateClient, type AuthenticatedClient, type ClientAuthEnv} from './client-auth.js'
import {pollDeviceCode} from './device-code.js'
import {errors} from './errors.js'
import {sendJson, type Ctx} from './http-util.js'
import {parseAppScope, parseDelegatedScopes} from './scopes.js'
import type {TokenIssuer} from './tokens.js'

export interface TokenEnv extends ClientAuthEnv {
  issuer: TokenIssuer
}

const DEVICE_GRANTS = new Set(['urn:ietf:params:oauth:grant-type:device_code', 'device_code'])
const GRANTS = new Set(['authorization_code', 'refresh_token', 'client_credentials', ...DEVICE_GRANTS])

function required(form: URLSearchParams, name: string): string {
  const value = form.get(name)
  if (!value) throw errors.missingParameter(name)
  return value
}

function redeemCode(form: URLSearchParams, client: AuthenticatedClient, env: TokenEnv): Record<string, unknown> {
  const code = required(form, 'code')
  const record = env.state.codes.get(code)
  if (!record) throw errors.invalidGrant(9002313, 'Invalid request. Request is malformed or invalid. The authorization code is not valid.')
  if (record.used) {
    throw errors.invalidGrant(54005, 'OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.')
  }
  if (Date.now() >= record.expiresAt) {
    throw errors.invalidGrant(70008, 'The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.')
  }
  if (record.clientId !== client.app.clientId) throw errors.invalidGrant(70000, 'The authorization code was issued to another client.')
  if (form.get('redirect_uri') !== record.redirectUri) {
    throw errors.invalidGrant(50011, 'The redirect URI does not match the redirect URI used to obtain the authorization code.')
  }
  if (record.codeChallenge) {
    const verifier = form.get('code_verifier') ?? ''
    if (createHash('sha256').update(verifier).digest('base64url') !== record.codeChallenge) {
      throw errors.invalidGrant(501481, 'The Code_Verifier does not match the code_challenge supplied in the authorization request.')
    }
  }
  record.used = true
  return env.issuer.delegated({
    app: client.app,
    user: record.user,
    scopes: parseDelegatedScopes(form.get('scope') ?? record.scope, env.state),
    authLevel: client.level,
    nonce: record.nonce,
    clientInfo: form.get('client_info') === '1',
    claims: form.get('claims'),
  })
}

function redeemRefreshToken(form: URLSearchParams, client: AuthenticatedClient, env: TokenEnv): Record<string, unknown> {
  const token = required(form, 'refresh_token')
  const grant = env.state.refreshTokens.get(token)
  if (!grant || grant.seq <= env.state.refreshRevokedBelow) throw errors.refreshExpired(grant && new Date(grant.issuedAt))
  if (Date.now() >= grant.expiresAt) throw errors.refreshExpired(new Date(grant.issuedAt))
  if (grant.clientId !== client.app.clientId) throw errors.invalidGrant(70000, 'The refresh token was issued to a different client.')
  // Entra's refresh tokens are multi-resource: any scope may be asked for, and a new one always comes back.
  const scopes = parseDelegatedScopes(required(form, 'scope'), env.state)
  if (!scopes.oidc.includes('offline_access')) scopes.oidc.push('offline_access')
  return env.issuer.delegated({app: client.app, user: grant.user, scopes, authLevel: client.level, clientInfo: form.get('client_info') === '1', claims: form.get('claims')})
}

function redeemDeviceCode(form: URLSearchParams, client: AuthenticatedClient, env: TokenEnv): Record<string, unknown> {
  const {user, scope} = pollDeviceCode(form, client.app, env.state)
  return env.issuer.delegated({
    app: client.app,
    user,
    scopes: parseDelegatedScopes(form.get('scope') ?? scope, env.state),
    authLevel: client.level,
    clientInfo: form.get('client_info') === '1',
    claims: form.get('claims'),
  })
}

function clientCredentials(form: URLSearchParams, client: AuthenticatedClient, env: TokenEnv): Record<string, unknown> {
  if (client.app.publicClient) throw errors.credentialRequired()
  const resource = parseAppScope(required(form, 'scope'), env.state)
  return env.issuer.appOnly(client.app, resource, client.level)
}

/** POST /{tenant}/oauth2/v2.0/token */
export async function handleToken(ctx: Ctx, pathTenant: string, env: TokenEnv): Promise<void> {
  if (ctx.req.method !== 'POST') throw errors.postOnly(ctx.req.method ?? 'GET')
  const form = ctx.form
  const grantType = required(form, 'grant_type')
  if (!GRANTS.has(grantType)) throw errors.unsupportedGrant(grantType)
  const client = await authenticateClient(form, ctx.req.headers.authorization, env, pathTenant)
  env.state.sweep()
  let body: Record<string, unknown>
  if (grantType === 'authorization_code') body = redeemCode(form, client, env)
  else if (grantType === 'refresh_token') body = redeemRefreshToken(form, client, env)
  else if (grantType === 'client_credentials') body = clientCredentials(form, client, env)
  else body = redeemDeviceCode(form, client, env)
  const secretFields = ['code', 'code_verifier', 'refresh_token', 'device_code', 'client_secret', 'client_assertion']
  env.state.noteSecrets([...secretFields.map((f) => form.get(f)), body.access_token, body.refresh_token, body.id_token])
  sendJson(ctx, 200, body)
}
