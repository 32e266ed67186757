import type {ManagedIdentitySelector} from 'entratool'

const GUID = /^[\da-f]{8}-[\da-f]{4}-[\da-f]{4}-[\da-f]{4}-[\da-f]{12}$/i

/**
 * The identity to use, from the profile's `managedIdentity` setting (or ENTRATOOL_MANAGED_IDENTITY):
 * `system`, a client id, `object-id:<guid>`, an Azure resource id, or unset for the profile's client id.
 */
export function parseIdentity(setting: string | undefined, profileClientId: string): ManagedIdentitySelector | {problem: string} {
  const value = (setting ?? profileClientId).trim()
  if (value.toLowerCase() === 'system') return {kind: 'system'}
  if (GUID.test(value)) return {id: value, kind: 'client-id'}
  const objectId = /^object-id:(.+)$/i.exec(value)?.[1]
  if (objectId !== undefined) return GUID.test(objectId) ? {id: objectId, kind: 'object-id'} : {problem: `the managed identity object id '${objectId}' is not a GUID`}
  if (/^\/subscriptions\/[^/]+\/resourcegroups\/[^/]+\/providers\/microsoft\.managedidentity\/userassignedidentities\/[^/]+$/i.test(value)) return {id: value, kind: 'resource-id'}
  return {problem: `the managed identity '${value}' is not 'system', a client id, object-id:<guid> or a user-assigned identity's resource id`}
}

export function describeIdentity(identity: ManagedIdentitySelector): string {
  return identity.kind === 'system' ? 'system-assigned identity' : `user-assigned identity ${identity.kind} ${identity.id}`
}

/** Managed identity endpoints take one resource, not scopes: `https://x/.default` → `https://x`. */
export function resourceOf(scopes: string[]): {resource?: string; problem?: string} {
  if (scopes.length !== 1) return {problem: `a managed identity token is for one resource; got ${scopes.length} scopes (${scopes.join(' ')})`}
  const scope = scopes[0]
  if (!/^[a-z][\d+.a-z-]*:\/\/\S+$/i.test(scope)) return {problem: `'${scope}' is not a resource: a managed identity needs a resource URI such as https://management.azure.com/.default`}
  const resource = scope.replace(/\/\.default$/, '')
  const {host, protocol, pathname} = new URL(resource)
  const permission = /\/([A-Za-z]+\.[A-Za-z.]+)$/.exec(pathname)
  if (permission && resource === scope) {
    return {problem: `'${scope}' names a delegated permission; a managed identity gets application tokens: use ${protocol}//${host}${pathname.slice(0, permission.index)}/.default`}
  }

  return {resource}
}
