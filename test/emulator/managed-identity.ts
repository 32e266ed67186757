import {createServer, type Server} from 'node:http'
import {request as httpsRequest} from 'node:https'
import type {AddressInfo} from 'node:net'

import {sendJson, type Ctx} from './http-util.js'
import {toRegistration} from './state.js'
import type {TokenIssuer} from './tokens.js'
import type {Emulator} from './types.js'

/**
 * Managed identity endpoints as Azure hosts serve them to the code running on them, so the
 * managed-identity flow runs through real MSAL on loopback (never the real IMDS address):
 * - App Service / Functions / Container Apps: `IDENTITY_ENDPOINT=${url}${MANAGED_IDENTITY_PATHS.appService}`
 *   plus `IDENTITY_HEADER=${MANAGED_IDENTITY_HEADER}`; GET `?api-version=2019-08-01&resource=…[&client_id|mi_res_id|principal_id=…]`.
 * - A VM's IMDS, reached through MSAL's `AZURE_POD_IDENTITY_AUTHORITY_HOST=${url}` override;
 *   GET `${MANAGED_IDENTITY_PATHS.imds}?api-version=2018-02-01&resource=…[&client_id|msi_res_id|object_id=…]` with `Metadata: true`.
 */
export const MANAGED_IDENTITY_PATHS = {appService: '/msi/token', imds: '/metadata/identity/oauth2/token'} as const

/** The secret App Service puts in IDENTITY_HEADER; fixed here so tests need no coordination. */
export const MANAGED_IDENTITY_HEADER = 'emu-identity-header-6f1c2b9d'

export interface ManagedIdentityInfo {
  clientId: string
  objectId: string
  resourceId?: string
}

/** The host's system-assigned identity. */
export const SYSTEM_ASSIGNED_IDENTITY: ManagedIdentityInfo = {clientId: 'c0a8f1e2-3b4d-4e5f-8a6b-7c8d9e0f1a2b', objectId: 'd1b9e2f3-4c5e-4f6a-9b7c-8d9e0f1a2b3c'}

/** One user-assigned identity attached to the host. */
export const USER_ASSIGNED_IDENTITY: Required<ManagedIdentityInfo> = {
  clientId: 'e2c0f3a4-5d6f-4a7b-8c8d-9e0f1a2b3c4d',
  objectId: 'f3d1a4b5-6e7a-4b8c-9d9e-0f1a2b3c4d5e',
  resourceId: `/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/entratool-test/providers/Microsoft.ManagedIdentity/userAssignedIdentities/entratool-test-identity`,
}

const API_VERSIONS = {appService: '2019-08-01', imds: '2018-02-01'} as const

type Source = keyof typeof MANAGED_IDENTITY_PATHS

export function managedIdentitySource(path: string): Source | undefined {
  // MSAL adds a trailing slash to an endpoint taken from the environment; Azure accepts both.
  const bare = path.replace(/\/$/, '')
  if (bare === MANAGED_IDENTITY_PATHS.appService) return 'appService'
  if (bare === MANAGED_IDENTITY_PATHS.imds) return 'imds'
  return undefined
}

/** Answers a managed identity token request in the shape of the source's real endpoint. */
export function handleManagedIdentity(ctx: Ctx, source: Source, issuer: TokenIssuer): void {
  const q = ctx.query
  // App Service answers {statusCode, message}; IMDS answers OAuth-style {error, error_description}.
  const fail = (status: number, error: string, message: string) =>
    source === 'appService' ? sendJson(ctx, status, {correlationId: ctx.trace.correlationId, message, statusCode: status}) : sendJson(ctx, status, {error, error_description: message})

  if (ctx.req.method !== 'GET') return fail(405, 'invalid_request', 'Only GET is supported.')
  if (source === 'appService' && ctx.req.headers['x-identity-header'] !== MANAGED_IDENTITY_HEADER) {
    return fail(401, 'unauthorized', 'The X-IDENTITY-HEADER header is missing or does not match IDENTITY_HEADER.')
  }

  if (source === 'imds' && ctx.req.headers.metadata !== 'true') return fail(400, 'invalid_request', 'Required metadata header not specified')
  if (q.get('api-version') !== API_VERSIONS[source]) return fail(400, 'invalid_request', `api-version must be ${API_VERSIONS[source]}.`)
  const resource = q.get('resource') ?? ''
  if (!/^(https|api):\/\/\S+$/.test(resource)) return fail(400, 'invalid_resource', `The resource '${resource}' is not a valid resource URI.`)

  const identity = pickIdentity(q, source)
  if (!identity) return fail(400, 'invalid_request', 'Unable to load the proper Managed Identity: no identity with these parameters is assigned to this host.')

  const app = {...toRegistration({clientId: identity.clientId}), servicePrincipalId: identity.objectId}
  const token = issuer.appOnly(app, resource, '2')
  const expiresOn = Math.floor(Date.now() / 1000) + Number(token.expires_in)
  const body: Record<string, unknown> = {access_token: token.access_token, client_id: identity.clientId, expires_on: String(expiresOn), resource, token_type: 'Bearer'}
  if (source === 'imds') Object.assign(body, {expires_in: String(token.expires_in), ext_expires_in: String(token.expires_in), not_before: String(expiresOn - Number(token.expires_in))})
  if (identity.resourceId && q.has('msi_res_id')) body.msi_res_id = identity.resourceId
  sendJson(ctx, 200, body)
}

function pickIdentity(q: URLSearchParams, source: Source): ManagedIdentityInfo | undefined {
  const byClient = q.get('client_id')
  const byObject = q.get('object_id') ?? q.get('principal_id')
  const byResource = q.get(source === 'imds' ? 'msi_res_id' : 'mi_res_id')
  const same = (a: string | undefined, b: string) => a?.toLowerCase() === b.toLowerCase()
  if (byClient) return same(USER_ASSIGNED_IDENTITY.clientId, byClient) ? USER_ASSIGNED_IDENTITY : undefined
  if (byObject) return same(USER_ASSIGNED_IDENTITY.objectId, byObject) ? USER_ASSIGNED_IDENTITY : undefined
  if (byResource) return same(USER_ASSIGNED_IDENTITY.resourceId, byResource) ? USER_ASSIGNED_IDENTITY : undefined
  return SYSTEM_ASSIGNED_IDENTITY
}

/**
 * A plain-HTTP loopback front for the managed identity endpoints, as App Service's real
 * IDENTITY_ENDPOINT is plain http on the host: it relays each request to the emulator unchanged.
 */
export async function startPlainHttpFront(emu: Pick<Emulator, 'caPem' | 'url'>): Promise<{url: string; stop: () => Promise<void>}> {
  const server: Server = createServer((req, res) => {
    const upstream = httpsRequest(`${emu.url}${req.url ?? '/'}`, {ca: emu.caPem, headers: req.headers, method: req.method}, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(res)
    })
    upstream.on('error', () => res.writeHead(502).end())
    req.pipe(upstream)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as AddressInfo
  return {
    stop: () => new Promise((resolve) => server.close(() => resolve())),
    url: `http://127.0.0.1:${port}`,
  }
}
