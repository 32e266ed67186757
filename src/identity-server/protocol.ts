/**
 * The App Service managed-identity protocol as the Azure SDKs speak it (INTEGRATIONS.md section A):
 * api-version 2019-08-01 (`X-IDENTITY-HEADER`) and the older 2017-09-01 (header `secret`, and the
 * form POST of az < 2.74). Pure functions: a request's method, URL, headers and body in, either a
 * token ask or a refusal with its HTTP status out.
 */
import {createHash, randomBytes, timingSafeEqual} from 'node:crypto'

/** The one path the server answers on; every other path is a 404. */
export const IDENTITY_PATH = '/msi/token'
export const API_VERSIONS = ['2019-08-01', '2017-09-01'] as const
/** Entra resource URIs are short; anything longer is not a resource. */
const MAX_RESOURCE_LENGTH = 1024
const SELECTORS = ['client_id', 'object_id', 'principal_id', 'mi_res_id'] as const

export type Selector = {kind: (typeof SELECTORS)[number]; value: string}

export interface TokenAsk {
  resource: string
  /** Absent: the server's first profile. */
  selector?: Selector
}

export interface Refusal {
  status: number
  message: string
  headers?: Record<string, string>
}

export interface RawRequest {
  method: string
  url: string
  headers: Record<string, string | string[] | undefined>
  body: string
}

/** 32 random bytes, base64url: the shared secret a client sends in X-IDENTITY-HEADER. */
export function newSecret(): string {
  return randomBytes(32).toString('base64url')
}

/** Constant-time comparison; hashing first makes lengths equal, so a length mismatch leaks nothing either. */
export function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest()
  return timingSafeEqual(digest(given), digest(expected))
}

const refuse = (status: number, message: string, headers?: Record<string, string>): Refusal => ({headers, message, status})

function header(request: RawRequest, name: string): string | undefined {
  const value = request.headers[name]
  return Array.isArray(value) ? value[0] : value
}

/**
 * Checks, in this order: the path, a browser's Origin, the method, the secret, then the parameters.
 * The secret is checked before any parameter so nothing about profiles or resources is told to a
 * caller without it.
 */
export function parseTokenAsk(request: RawRequest, secret: string): Refusal | TokenAsk {
  const url = new URL(request.url, 'http://localhost')
  // az < 2.74 (msrestazure) asks `${MSI_ENDPOINT}/?resource=…`: the path with a trailing slash.
  if (url.pathname !== IDENTITY_PATH && url.pathname !== `${IDENTITY_PATH}/`) return refuse(404, 'not found')
  // No SDK sends Origin; a browser always does on a cross-origin request: a web page must not get tokens.
  if (header(request, 'origin') !== undefined) return refuse(403, 'requests from web pages (with an Origin header) are refused')

  const modern = header(request, 'x-identity-header')
  const legacy = header(request, 'secret')
  const apiVersion = url.searchParams.get('api-version')
  // POST exists only in the 2017-09-01 shape (az < 2.74 posts the form with the `secret` header).
  const legacyPost = request.method === 'POST' && modern === undefined && apiVersion !== '2019-08-01'
  if (request.method !== 'GET' && !legacyPost) return refuse(405, `method ${request.method} is not allowed`, {Allow: 'GET, POST'})

  const given = modern ?? legacy
  if (given === undefined) return refuse(401, 'the X-IDENTITY-HEADER (or 2017-09-01 secret) header is missing')
  if (!sameSecret(given, secret)) return refuse(401, 'the X-IDENTITY-HEADER (or secret) header is wrong')

  if (apiVersion !== null && !(API_VERSIONS as readonly string[]).includes(apiVersion)) {
    return refuse(400, `api-version '${apiVersion}' is not supported: use ${API_VERSIONS.join(' or ')}`)
  }

  const params = new URLSearchParams(url.search)
  if (legacyPost) {
    const type = header(request, 'content-type') ?? ''
    if (request.body && !type.startsWith('application/x-www-form-urlencoded')) return refuse(400, 'a POST body must be application/x-www-form-urlencoded')
    for (const [key, value] of new URLSearchParams(request.body)) params.append(key, value)
  }

  const resources = params.getAll('resource')
  if (resources.length !== 1 || !resources[0]) return refuse(400, 'exactly one resource parameter is required')
  const resource = resources[0]
  if (resource.length > MAX_RESOURCE_LENGTH || /[\s"\\]/.test(resource)) return refuse(400, 'resource must be one resource URI (no spaces, at most 1024 characters)')

  // msrestazure's 2017-09-01 request names a user-assigned identity `clientid`.
  if (params.has('clientid') && !params.has('client_id')) params.set('client_id', params.get('clientid')!)
  const selectors = SELECTORS.filter((kind) => params.has(kind))
  if (selectors.length > 1) return refuse(400, `give at most one of ${SELECTORS.join(', ')}`)
  const selector = selectors.length === 1 ? {kind: selectors[0], value: params.get(selectors[0])!} : undefined
  return {resource, selector}
}

export const isRefusal = (value: Refusal | TokenAsk): value is Refusal => 'status' in value

/** The scope entratool asks Entra for: the resource's `.default`, as App Service does. */
export function scopeFor(resource: string): string {
  return resource.endsWith('/.default') ? resource : `${resource}/.default`
}
