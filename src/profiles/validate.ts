/** Field rules for profiles, shared by flags, prompts, the file reader and import. */

export const NAME_PATTERN = /^[\w.-]{1,64}$/
const GUID = /^[\da-f]{8}-[\da-f]{4}-[\da-f]{4}-[\da-f]{4}-[\da-f]{12}$/i
const DOMAIN = /^(?=.{1,253}$)([a-z\d]([a-z\d-]{0,61}[a-z\d])?\.)+[a-z]{2,63}$/i
const TENANT_ALIASES = new Set(['common', 'consumers', 'organizations'])

/** Names that index plain objects badly (`profiles['__proto__'] = p` sets a prototype, stores nothing). */
const OBJECT_KEYS = new Set(['__proto__', 'constructor', 'prototype', '__definegetter__', '__definesetter__', '__lookupgetter__', '__lookupsetter__', 'hasownproperty', 'isprototypeof', 'propertyisenumerable', 'tolocalestring', 'tostring', 'valueof'])

export function checkName(name: string): string | undefined {
  if (!NAME_PATTERN.test(name)) return `profile name '${name}' is invalid: use 1 to 64 letters, digits, '.', '_' or '-'`
  if (name === '.' || name === '..' || OBJECT_KEYS.has(name.toLowerCase())) return `profile name '${name}' is reserved`
  return undefined
}

export function checkTenant(tenant: string): string | undefined {
  if (GUID.test(tenant) || DOMAIN.test(tenant) || TENANT_ALIASES.has(tenant.toLowerCase())) return
  return `tenant '${tenant}' is invalid: give a GUID, a domain such as contoso.onmicrosoft.com, or common, organizations or consumers`
}

export function checkClientId(clientId: string): string | undefined {
  if (!GUID.test(clientId)) return `client id '${clientId}' is invalid: it is the application (client) GUID from the app registration`
  return undefined
}

/** A port range as profiles.json may hold it (hand-edited): two ports from 1 to 65535, low first. */
export function checkPortRange(range: unknown): string | undefined {
  const ok = Array.isArray(range) && range.length === 2 && range.every((n) => Number.isInteger(n) && n >= 1 && n <= 65_535) && range[0] <= range[1]
  if (!ok) return `has an invalid port range ${JSON.stringify(range)}: give two ports from 1 to 65535, the lower first`
  return undefined
}

/** Cloud names accepted for --authority besides a host or a full authority URL. */
export const CLOUD_HOSTS: Record<string, string> = {
  china: 'https://login.chinacloudapi.cn',
  public: 'https://login.microsoftonline.com',
  usgov: 'https://login.microsoftonline.us',
}

export function checkAuthority(authority: string): string | undefined {
  if (CLOUD_HOSTS[authority.toLowerCase()]) return
  let url: URL
  try {
    url = new URL(authority)
  } catch {
    return `authority '${authority}' is invalid: give public, usgov, china, or an https URL`
  }

  if (url.protocol !== 'https:') return `authority '${authority}' must use https`
  // https://login.microsoftonline.com@attacker.example/… reads like Microsoft and goes to attacker.example.
  if (url.username || url.password || authority.slice(0, authority.indexOf(url.host) + 1).includes('@')) {
    return `authority '${authority}' must not hold a user name or password before '@': its real host is ${url.host}`
  }

  if (url.search || url.hash) return `authority '${authority}' must not have a query or fragment`
  return undefined
}

/** Microsoft's sign-in hosts (public and sovereign clouds); tenant hosts of B2C and External ID too. */
const MICROSOFT_CLOUD_HOSTS = new Set(['login.chinacloudapi.cn', 'login.microsoft.com', 'login.microsoftonline.com', 'login.microsoftonline.us', 'login.partner.microsoftonline.cn', 'login.windows.net', 'sts.windows.net'])

export function isMicrosoftCloudHost(host: string): boolean {
  const name = host.toLowerCase()
  return MICROSOFT_CLOUD_HOSTS.has(name) || /^[\da-z-]+\.(b2clogin\.com|ciamlogin\.com)$/.test(name)
}

/**
 * The full authority URL for a tenant: a cloud name or bare host gets the tenant appended; a URL
 * with a path (a tenant, B2C policy or CIAM authority) is used as written.
 */
export function authorityUrl(authority: string | undefined, tenant: string): string {
  const base = CLOUD_HOSTS[(authority ?? 'public').toLowerCase()] ?? authority!
  const url = new URL(base)
  const path = url.pathname.replace(/\/+$/, '')
  return path ? `${url.origin}${path}` : `${url.origin}/${tenant}`
}

/** Splits repeatable, space- or comma-separated scope flags into a clean list. */
export function splitScopes(values: readonly string[] | undefined): string[] {
  const scopes = (values ?? []).flatMap((value) => value.split(/[\s,]+/)).filter(Boolean)
  return [...new Set(scopes)]
}

const OIDC_SCOPES = new Set(['email', 'offline_access', 'openid', 'profile'])

/** Entra refuses a `/.default` scope mixed with other permissions; say so before the round trip. */
export function checkScopes(scopes: readonly string[]): string | undefined {
  const permissions = scopes.filter((s) => !OIDC_SCOPES.has(s.toLowerCase()))
  const defaults = permissions.filter((s) => s.endsWith('/.default'))
  if (defaults.length > 0 && permissions.length > 1) {
    return `a /.default scope cannot be combined with other scopes (${permissions.join(', ')}): request ${defaults[0]} alone, or list the individual permissions instead`
  }
  return undefined
}
