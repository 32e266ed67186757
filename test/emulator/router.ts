import type {IncomingMessage, ServerResponse} from 'node:http'

import {handleAuthorize} from './authorize.js'
import {CONTROL_PREFIX} from './control-routes.js'
import {handleDeviceAuthorization, handleDeviceLogin} from './device-code.js'
import {instanceDiscovery, jwks, openidConfiguration, resolveTenant, type TenantRef} from './discovery.js'
import {EntraError, errors} from './errors.js'
import {applyFault, takeFault} from './faults.js'
import {readBody, redirect, sendError, sendHtml, sendJson, traceFor, type Ctx} from './http-util.js'
import type {SigningKey} from './jwt.js'
import {handleManagedIdentity, managedIdentitySource} from './managed-identity.js'
import type {OidcIssuer} from './oidc-issuer.js'
import {errorPage, messagePage} from './pages.js'
import {handleToken, type TokenEnv} from './token-endpoint.js'
import type {EndpointName, RequestLogEntry} from './types.js'

export interface RouterEnv extends TokenEnv {
  host: string
  tokenKey: SigningKey
  oidc: OidcIssuer
  delay(ms: number): Promise<void>
  control(req: IncomingMessage, res: ServerResponse, path: string): Promise<void>
  /** The number of the TLS connection a request came on. */
  connectionOf?(req: IncomingMessage): number | undefined
}

interface Route {
  endpoint: EndpointName
  tenant?: string
}

const TENANT_ROUTES: [RegExp, EndpointName][] = [
  [/^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/, 'openid-configuration'],
  [/^\/([^/]+)\/discovery\/(?:v2\.0\/)?keys$/, 'keys'],
  [/^\/([^/]+)\/discovery\/instance$/, 'instance-discovery'],
  [/^\/([^/]+)\/oauth2\/v2\.0\/authorize$/, 'authorize'],
  [/^\/([^/]+)\/oauth2\/v2\.0\/token$/, 'token'],
  [/^\/([^/]+)\/oauth2\/v2\.0\/devicecode$/, 'devicecode'],
  [/^\/([^/]+)\/oauth2\/v2\.0\/logout$/, 'logout'],
]

function classify(path: string): Route {
  if (path === '/devicelogin') return {endpoint: 'devicelogin'}
  if (path === '/error') return {endpoint: 'error-page'}
  if (managedIdentitySource(path)) return {endpoint: 'managed-identity'}
  if (path.startsWith(`${CONTROL_PREFIX}/oidc/`)) return {endpoint: 'oidc-issuer'}
  for (const [pattern, endpoint] of TENANT_ROUTES) {
    const match = pattern.exec(path)
    if (match) return {endpoint, tenant: decodeURIComponent(match[1])}
  }
  return {endpoint: 'not-found'}
}

async function dispatch(ctx: Ctx, route: Route, tenant: TenantRef | undefined, env: RouterEnv): Promise<void> {
  const base = ctx.trace.baseUrl
  switch (route.endpoint) {
    case 'openid-configuration':
      return sendJson(ctx, 200, openidConfiguration(base, tenant!))
    case 'keys':
      return sendJson(ctx, 200, jwks(base, tenant!, env.tokenKey))
    case 'instance-discovery':
      return sendJson(ctx, 200, instanceDiscovery(base, env.host, ctx.query))
    case 'authorize':
      return handleAuthorize(ctx, tenant!, env.state)
    case 'token':
      return handleToken(ctx, route.tenant!, env)
    case 'devicecode':
      return handleDeviceAuthorization(ctx, env.state)
    case 'devicelogin':
      return handleDeviceLogin(ctx, env.state)
    case 'logout': {
      const target = ctx.query.get('post_logout_redirect_uri')
      if (target && /^http:\/\/(localhost|127\.0\.0\.1)(:\d+)?\//.test(target)) return redirect(ctx, target)
      return sendHtml(ctx, 200, messagePage('You signed out of your account', 'It is a good idea to close all browser windows.'))
    }
    case 'error-page':
      return sendHtml(ctx, 200, messagePage(`AADSTS${ctx.query.get('code') ?? ''}`, 'See the error_description returned with this code.'))
    case 'managed-identity':
      return handleManagedIdentity(ctx, managedIdentitySource(ctx.url.pathname)!, env.issuer)
    case 'oidc-issuer': {
      const rest = ctx.url.pathname.slice(`${CONTROL_PREFIX}/oidc`.length)
      if (rest === '/.well-known/openid-configuration') return sendJson(ctx, 200, env.oidc.discovery())
      if (rest === '/keys') return sendJson(ctx, 200, env.oidc.jwks())
      return sendJson(ctx, 404, {error: 'not_found'})
    }
    default:
      return sendJson(ctx, 404, {error: 'not_found', error_description: `No endpoint at ${ctx.url.pathname}`})
  }
}

export function createRouter(env: RouterEnv) {
  const base = `https://${env.host}`
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', base)
    const path = url.pathname
    if (path.startsWith(`${CONTROL_PREFIX}/`) && !path.startsWith(`${CONTROL_PREFIX}/oidc/`)) return env.control(req, res, path)

    const route = classify(path)
    const trace = traceFor(req, res, base)
    const rawBody = req.method === 'POST' ? await readBody(req) : ''
    const isForm = (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')
    const form = new URLSearchParams(isForm ? rawBody : '')
    const log = {
      time: new Date().toISOString(),
      method: req.method ?? 'GET',
      path,
      endpoint: route.endpoint,
      grantType: form.get('grant_type') ?? undefined,
      clientId: form.get('client_id') ?? url.searchParams.get('client_id') ?? undefined,
      tenant: route.tenant,
      status: 0,
    } as RequestLogEntry
    const claims = form.get('claims') ?? url.searchParams.get('claims')
    if (claims) log.claims = claims
    const connection = env.connectionOf?.(req)
    if (connection !== undefined) log.connection = connection
    env.state.record(log)
    res.on('finish', () => {
      log.status = res.statusCode
    })
    const ctx: Ctx = {req, res, url, query: url.searchParams, form, rawBody, trace, log}

    const fault = takeFault(env.state, route.endpoint)
    if (fault && (await applyFault(ctx, fault, env.delay))) return
    if (res.destroyed) return

    const tenant = route.tenant === undefined ? undefined : resolveTenant(route.tenant)
    try {
      if (route.tenant !== undefined && route.endpoint !== 'instance-discovery' && !tenant) throw errors.invalidTenant(route.tenant)
      await dispatch(ctx, route, tenant, env)
    } catch (err) {
      if (res.headersSent) return void res.destroy()
      const entraError = err instanceof EntraError ? err : new EntraError(500, 'server_error', 50000, `There was an error issuing a token or an issue with our sign-in service. ${String(err)}`)
      if (!(err instanceof EntraError)) process.stderr.write(`emulator: ${(err as Error)?.stack ?? String(err)}\n`)
      if (route.endpoint === 'authorize' || route.endpoint === 'devicelogin') return sendHtml(ctx, entraError.status, errorPage(entraError.message, trace))
      sendError(ctx, entraError)
    }
  }
}
