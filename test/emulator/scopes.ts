import {API_APP_ID_URI, AZURE_DEVOPS_RESOURCE, GRAPH_APP_ID, GRAPH_RESOURCE, OIDC_SCOPES, RESOURCE_SCOPES} from './constants.js'
import {errors} from './errors.js'
import type {EmulatorState} from './state.js'

export interface ScopeRequest {
  /** The access token's audience. */
  resource: string
  /** Permission names without the resource prefix; `.default` already expanded for delegated use. */
  names: string[]
  /** The resource scopes as the response's `scope` reports them. */
  granted: string[]
  oidc: string[]
}

interface SplitScope {
  prefix: string
  resource: string
  name: string
}

function normalizeResource(resource: string): string {
  const trimmed = resource.replace(/\/+$/, '')
  if (trimmed.toLowerCase() === GRAPH_APP_ID || trimmed.toLowerCase() === GRAPH_RESOURCE) return GRAPH_RESOURCE
  return trimmed
}

function split(scope: string): SplitScope {
  const schemeEnd = scope.indexOf('://')
  const slash = scope.lastIndexOf('/')
  if (schemeEnd >= 0 ? slash > schemeEnd + 2 : slash > 0) {
    return {prefix: scope.slice(0, slash + 1), resource: normalizeResource(scope.slice(0, slash)), name: scope.slice(slash + 1)}
  }
  if (schemeEnd >= 0) throw errors.invalidScope(70011, `The provided value for the input parameter 'scope' isn't valid. The scope ${scope} isn't valid.`)
  // A bare permission name means Microsoft Graph, as in Entra.
  return {prefix: '', resource: GRAPH_RESOURCE, name: scope}
}

function assertKnownResource(resource: string, state: EmulatorState): void {
  if (resource === GRAPH_RESOURCE || resource === API_APP_ID_URI || resource === AZURE_DEVOPS_RESOURCE) return
  if (/^https:\/\/[^/]+/i.test(resource)) return
  const id = resource.startsWith('api://') ? resource.slice('api://'.length) : resource
  if (state.app(id)) return
  throw errors.invalidResource(resource)
}

function resourceScopes(scopeParam: string, state: EmulatorState): {oidc: string[]; parts: SplitScope[]} {
  const all = scopeParam.split(/\s+/).filter(Boolean)
  const oidc = all.filter((s) => OIDC_SCOPES.has(s.toLowerCase())).map((s) => s.toLowerCase())
  const parts = all.filter((s) => !OIDC_SCOPES.has(s.toLowerCase())).map(split)
  const resources = new Set(parts.map((p) => p.resource))
  if (resources.size > 1) {
    throw errors.invalidScope(28000, `Provided value for the input parameter scope is not valid because it contains more than one resource. Scope ${scopeParam} is not valid.`)
  }
  for (const resource of resources) assertKnownResource(resource, state)
  return {oidc, parts}
}

export function parseDelegatedScopes(scopeParam: string, state: EmulatorState): ScopeRequest {
  const {oidc, parts} = resourceScopes(scopeParam, state)
  if (parts.length === 0) {
    // Sign-in only (openid profile offline_access): Entra still returns a Graph token.
    return {resource: GRAPH_RESOURCE, names: oidc.filter((s) => s !== 'offline_access'), granted: [], oidc}
  }
  const resource = parts[0].resource
  const known = RESOURCE_SCOPES[resource]
  const names: string[] = []
  const granted: string[] = []
  for (const part of parts) {
    const expanded = part.name === '.default' ? (known ?? ['user_impersonation']) : [part.name]
    if (known && resource === API_APP_ID_URI && part.name !== '.default' && !known.includes(part.name)) {
      throw errors.invalidScope(70011, `The provided value for the input parameter 'scope' isn't valid. The scope ${part.prefix}${part.name} isn't valid.`)
    }
    for (const name of expanded) {
      if (names.includes(name)) continue
      names.push(name)
      granted.push(part.prefix + name)
    }
  }
  return {resource, names, granted, oidc}
}

/** Client credentials: exactly one `<resource>/.default`, nothing else. */
export function parseAppScope(scopeParam: string, state: EmulatorState): string {
  const all = scopeParam.split(/\s+/).filter(Boolean)
  const invalid = () =>
    errors.invalidScope(1002012, `The provided value for scope ${scopeParam} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`)
  if (all.length !== 1 || !all[0].endsWith('/.default')) throw invalid()
  const part = split(all[0])
  assertKnownResource(part.resource, state)
  return part.resource
}
