import {DEFAULT_TENANT_DOMAIN, DEFAULT_TENANT_ID, MULTI_TENANT_ALIASES} from './constants.js'
import {publicJwk, type SigningKey} from './jwt.js'

export interface TenantRef {
  /** As it appears in endpoint URLs: the GUID for a concrete tenant, else common/organizations/consumers. */
  segment: string
  concrete: boolean
}

export function resolveTenant(segment: string): TenantRef | undefined {
  const lower = segment.toLowerCase()
  if (lower === DEFAULT_TENANT_ID || lower === DEFAULT_TENANT_DOMAIN) return {segment: DEFAULT_TENANT_ID, concrete: true}
  if ((MULTI_TENANT_ALIASES as readonly string[]).includes(lower)) return {segment: lower, concrete: false}
  return undefined
}

/** Entra publishes `{tenantid}` literally in the multi-tenant documents; MSAL substitutes it. */
function issuerFor(baseUrl: string, tenant: TenantRef): string {
  return `${baseUrl}/${tenant.concrete ? DEFAULT_TENANT_ID : '{tenantid}'}/v2.0`
}

export function openidConfiguration(baseUrl: string, tenant: TenantRef): Record<string, unknown> {
  const root = `${baseUrl}/${tenant.segment}`
  return {
    token_endpoint: `${root}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: `${root}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer: issuerFor(baseUrl, tenant),
    request_uri_parameter_supported: false,
    authorization_endpoint: `${root}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${root}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${root}/oauth2/v2.0/logout`,
    claims_supported: ['sub', 'iss', 'cloud_instance_name', 'aud', 'exp', 'iat', 'auth_time', 'acr', 'nonce', 'preferred_username', 'name', 'tid', 'ver', 'email'],
    code_challenge_methods_supported: ['S256'],
    grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials', 'urn:ietf:params:oauth:grant-type:device_code'],
    tenant_region_scope: 'NA',
    cloud_instance_name: 'entratool-emulator',
    cloud_graph_host_name: 'graph.windows.net',
    msgraph_host: 'graph.microsoft.com',
  }
}

export function jwks(baseUrl: string, tenant: TenantRef, key: SigningKey): {keys: Record<string, unknown>[]} {
  return {keys: [publicJwk(key, {issuer: issuerFor(baseUrl, tenant)})]}
}

/** What MSAL asks login.microsoftonline.com for when an authority is not in knownAuthorities. */
export function instanceDiscovery(baseUrl: string, host: string, params: URLSearchParams): Record<string, unknown> {
  const endpoint = params.get('authorization_endpoint')
  let tenant = 'common'
  if (endpoint) {
    const match = /^https?:\/\/[^/]+\/([^/]+)\//.exec(endpoint)
    if (match) tenant = match[1]
  }
  const localhost = host.replace(/^127\.0\.0\.1/, 'localhost')
  return {
    tenant_discovery_endpoint: `${baseUrl}/${tenant}/v2.0/.well-known/openid-configuration`,
    'api-version': '1.1',
    metadata: [{preferred_network: host, preferred_cache: host, aliases: [host, localhost]}],
  }
}
