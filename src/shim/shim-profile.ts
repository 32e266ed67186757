import type {ProfilesFile} from '../profiles/profile.js'
import {authorityUrl} from '../profiles/validate.js'

/** Which entratool profile answers, and whether the request's tenant must replace the profile's. */
export interface ShimChoice {
  /** undefined: entratool's own default (the file's default profile, else `default`). */
  profile?: string
  /** Passed to get-token as --tenant when it differs from the chosen profile's tenant. */
  tenant?: string
}

/**
 * The profile named at `shim install`, else ENTRATOOL_PROFILE, else one whose tenant is the one the
 * caller asked for (the default profile first, then by name), else entratool's default.
 */
export function chooseProfile(file: ProfilesFile, installed: string | undefined, env: NodeJS.ProcessEnv, tenant: string | undefined): ShimChoice {
  const named = installed || env.ENTRATOOL_PROFILE || undefined
  const same = (name: string | undefined) => Boolean(name && tenant && Object.hasOwn(file.profiles, name) && file.profiles[name].tenantId.toLowerCase() === tenant.toLowerCase())
  if (named) return {profile: named, tenant: tenant && !same(named) ? tenant : undefined}
  if (!tenant) return {}
  if (same(file.defaultProfile)) return {profile: file.defaultProfile}
  const match = Object.keys(file.profiles)
    .sort()
    .find((name) => same(name))
  return match ? {profile: match} : {tenant}
}

const APP_FLOWS = new Set(['client-credentials', 'managed-identity'])

/**
 * `az account show` for a profile: enough for tools that check a sign-in and read the tenant
 * (`id`, the subscription, only when known). undefined when the profile has no identity to use yet.
 */
export function accountShow(file: ProfilesFile, name: string, subscription: string | undefined): Record<string, unknown> | undefined {
  const profile = Object.hasOwn(file.profiles, name) ? file.profiles[name] : undefined
  if (!profile) return undefined
  const flow = profile.flow ?? 'interactive'
  const user = profile.account ? {name: profile.account.username, type: 'user'} : APP_FLOWS.has(flow) ? {name: profile.clientId, type: 'servicePrincipal'} : undefined
  if (!user) return undefined
  return {
    environmentName: environmentName(authorityUrl(profile.authority ?? 'public', profile.tenantId)),
    homeTenantId: profile.tenantId,
    ...(subscription ? {id: subscription} : {}),
    isDefault: true,
    managedByTenants: [],
    name: `entratool profile ${name}`,
    state: 'Enabled',
    tenantId: profile.tenantId,
    user,
  }
}

function environmentName(authority: string): string {
  const host = new URL(authority).hostname
  if (host.endsWith('.us')) return 'AzureUSGovernment'
  if (host.endsWith('.cn')) return 'AzureChinaCloud'
  return 'AzureCloud'
}
