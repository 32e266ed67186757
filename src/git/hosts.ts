/** Azure DevOps' Entra resource: Azure Repos accepts its access tokens as the password. */
export const AZURE_DEVOPS_RESOURCE = '499b84ac-1321-427f-aa17-267ca6975798'
export const AZURE_DEVOPS_SCOPE = `${AZURE_DEVOPS_RESOURCE}/.default`
export const DEFAULT_GIT_HOST = 'dev.azure.com'

/** Hosts that are Azure Repos without any configuration (the old `<org>.visualstudio.com` too). */
const AZURE_REPOS_HOSTS = ['dev.azure.com', '*.visualstudio.com']

/**
 * Whether a token may be answered for `host` (git's `host=`, with `:port`). An Entra token must not
 * reach a server that did not ask for entratool: besides Azure Repos, only hosts whose own
 * `credential.<url>.helper` names entratool's git-credential (what setup-git writes) qualify, so a
 * helper configured for every host still answers nothing to github.com.
 */
export function isConfiguredHost(host: string, scopedHelpers: ReadonlyArray<readonly [string, string]>, isOurs: (helper: string) => boolean): boolean {
  const wanted = host.toLowerCase()
  if (isAzureReposHost(wanted)) return true
  return scopedHelpers.some(([url, helper]) => {
    const pattern = urlHost(url)
    return pattern !== undefined && hostMatches(pattern, wanted) && isOurs(helper)
  })
}

export function isAzureReposHost(host: string): boolean {
  return AZURE_REPOS_HOSTS.some((pattern) => hostMatches(pattern, host.toLowerCase()))
}

function urlHost(url: string): string | undefined {
  const match = /^https:\/\/(?:[^@/]*@)?([^/]+)/i.exec(url)
  return match?.[1].toLowerCase()
}

/** git's urlmatch: `*` stands for one whole DNS label; the port must match when given. */
function hostMatches(pattern: string, host: string): boolean {
  const [patternName, patternPort] = splitPort(pattern)
  const [name, port] = splitPort(host)
  if ((patternPort ?? '443') !== (port ?? '443')) return false
  const want = patternName.split('.')
  const have = name.split('.')
  return want.length === have.length && want.every((label, i) => label === '*' || label === have[i])
}

function splitPort(host: string): [string, string | undefined] {
  const match = /^(.*?)(?::(\d+))?$/.exec(host)!
  return [match[1], match[2]]
}

/**
 * The scope git tokens are requested for: --scope, else the profile's when it names a resource
 * other than Microsoft Graph (Graph is entratool's built-in default, and no git server takes a Graph
 * token), else Azure DevOps'.
 */
export function gitScopes(flagScopes: string[] | undefined, profileScopes: string[] | undefined): string[] {
  if (flagScopes && flagScopes.length > 0) return flagScopes
  const named = (profileScopes ?? []).filter((s) => s.includes('/') && !/^https:\/\/graph\.microsoft\.com\//i.test(s) && !/^00000003-0000-0000-c000-000000000000\//i.test(s))
  return named.length > 0 ? named : [AZURE_DEVOPS_SCOPE]
}
