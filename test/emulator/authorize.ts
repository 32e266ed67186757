import {DEFAULTS} from './constants.js'
import type {TenantRef} from './discovery.js'
import {EntraError, errorBody, errors} from './errors.js'
import {allParams, redirect, sendHtml, type Ctx} from './http-util.js'
import {randomId} from './jwt.js'
import {errorPage, formPostPage, signInPage} from './pages.js'
import {parseDelegatedScopes} from './scopes.js'
import type {AppRegistration, EmulatorState} from './state.js'

const RESPONSE_MODES = new Set(['query', 'fragment', 'form_post'])
const FORM_ONLY = new Set(['username', 'password', 'action'])

/** RFC 8252 §7.3: a native app's loopback redirect matches whatever port it chose. */
function isLoopbackRedirect(uri: string): boolean {
  let url: URL
  try {
    url = new URL(uri)
  } catch {
    return false
  }
  return url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname) && !url.hash && !url.username
}

export function redirectAllowed(app: AppRegistration, uri: string): boolean {
  if (app.redirectUris?.includes(uri)) return true
  if (app.redirectUris && !app.publicClient) return false
  return isLoopbackRedirect(uri) || (app.publicClient && uri === 'https://login.microsoftonline.com/common/oauth2/nativeclient')
}

type Fields = [string, string][]

function respond(ctx: Ctx, redirectUri: string, mode: string, fields: Fields): void {
  if (mode === 'form_post') return sendHtml(ctx, 200, formPostPage(redirectUri, fields))
  const target = new URL(redirectUri)
  if (mode === 'fragment') target.hash = new URLSearchParams(fields).toString()
  else for (const [k, v] of fields) target.searchParams.append(k, v)
  redirect(ctx, target.toString())
}

function errorFields(ctx: Ctx, err: EntraError, state: string | null): Fields {
  const body = errorBody(err, ctx.trace)
  const fields: Fields = [['error', err.error], ['error_description', String(body.error_description)]]
  if (state !== null) fields.push(['state', state])
  return fields
}

/** Checks made before the redirect URI is trusted end on an error page; later ones go back to the app. */
function validateClient(params: URLSearchParams, state: EmulatorState): {app: AppRegistration; redirectUri: string} {
  const clientId = params.get('client_id')
  if (!clientId) throw errors.missingParameter('client_id')
  const app = state.app(clientId)
  if (!app) throw errors.unknownClient(clientId)
  const redirectUri = params.get('redirect_uri')
  if (!redirectUri) throw errors.missingParameter('redirect_uri')
  if (!redirectAllowed(app, redirectUri)) {
    throw new EntraError(400, 'invalid_request', 50011, `The redirect URI '${redirectUri}' specified in the request does not match the redirect URIs configured for the application '${app.clientId}'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal.`)
  }
  return {app, redirectUri}
}

function validateRequest(params: URLSearchParams, app: AppRegistration, state: EmulatorState): void {
  if (params.get('response_type') !== 'code') {
    throw new EntraError(400, 'unsupported_response_type', 700054, `response_type '${params.get('response_type') ?? ''}' is not enabled for the application.`)
  }
  const scope = params.get('scope')
  if (!scope) throw errors.missingParameter('scope')
  parseDelegatedScopes(scope, state)
  const challenge = params.get('code_challenge')
  const method = params.get('code_challenge_method')
  if ((app.publicClient && !challenge) || (challenge && method !== 'S256')) {
    throw new EntraError(400, 'invalid_request', 9002325, 'Proof Key for Code Exchange is required for cross-origin authorization code redemption: send code_challenge with code_challenge_method=S256.')
  }
  if (params.get('prompt') === 'none') {
    throw new EntraError(400, 'login_required', 50058, 'A silent sign-in request was sent but no user is signed in.')
  }
}

export function handleAuthorize(ctx: Ctx, tenant: TenantRef, state: EmulatorState): void {
  const params = allParams(ctx)
  let client: {app: AppRegistration; redirectUri: string}
  try {
    client = validateClient(params, state)
  } catch (err) {
    if (!(err instanceof EntraError)) throw err
    return sendHtml(ctx, 400, errorPage(err.message, ctx.trace))
  }
  const {app, redirectUri} = client
  const appState = params.get('state')
  const mode = params.get('response_mode') ?? 'query'
  if (!RESPONSE_MODES.has(mode)) {
    return sendHtml(ctx, 400, errorPage(errors.malformed(`response_mode '${mode}' is not supported.`).message, ctx.trace))
  }
  try {
    validateRequest(params, app, state)
  } catch (err) {
    if (!(err instanceof EntraError)) throw err
    return respond(ctx, redirectUri, mode, errorFields(ctx, err, appState))
  }

  const hidden = [...params].filter(([k]) => !FORM_ONLY.has(k))
  const page = (error?: string, username?: string) =>
    sendHtml(ctx, 200, signInPage({action: ctx.url.pathname, appName: app.displayName, hidden, username, error}))
  if (ctx.req.method !== 'POST') return page(undefined, params.get('login_hint') ?? undefined)

  if (params.get('action') === 'cancel') {
    const declined = new EntraError(400, 'access_denied', 65004, 'User declined to consent to access the app.')
    return respond(ctx, redirectUri, mode, errorFields(ctx, declined, appState))
  }
  const username = params.get('username') ?? ''
  const user = state.users.get(username.toLowerCase())
  if (!user) return page(`AADSTS50034: The user account ${username} does not exist in the ${tenant.segment} directory.`, username)
  if (params.get('password') !== user.password) {
    return page('AADSTS50126: Error validating credentials due to invalid username or password.', username)
  }

  const code = randomId(48)
  state.codes.set(code, {
    clientId: app.clientId,
    redirectUri,
    scope: params.get('scope') ?? '',
    codeChallenge: params.get('code_challenge') ?? undefined,
    nonce: params.get('nonce') ?? undefined,
    user,
    expiresAt: Date.now() + DEFAULTS.codeLifetime * 1000,
    used: false,
  })
  const fields: Fields = [['code', code]]
  if (appState !== null) fields.push(['state', appState])
  respond(ctx, redirectUri, mode, fields)
}
