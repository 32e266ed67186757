/**
 * Application flows take exactly one `<resource>/.default` scope. A bare resource URI gets
 * `/.default` added; a delegated scope (User.Read, https://graph.microsoft.com/User.Read) is
 * refused with the reason, since the server's answer (AADSTS1002012) explains it poorly.
 */
export function appScope(scopes: string[]): {scope?: string; problem?: string} {
  const wanted = scopes.filter((s) => !['offline_access', 'openid', 'profile'].includes(s))
  if (wanted.length !== 1) {
    return {problem: `the client-credentials flow takes exactly one scope of the form <resource>/.default, got ${wanted.length === 0 ? 'none' : wanted.join(', ')}`}
  }

  const scope = wanted[0]
  if (scope.endsWith('/.default')) return {scope}
  const resource = /^[a-z][\d+.a-z-]*:\/\/[^/]+\/?$/i.test(scope) || /^[\da-f]{8}-[\da-f]{4}-[\da-f]{4}-[\da-f]{4}-[\da-f]{12}$/i.test(scope)
  if (resource) return {scope: `${scope.replace(/\/$/, '')}/.default`}
  return {problem: `'${scope}' is a delegated permission; an application token is requested for a whole resource, e.g. https://graph.microsoft.com/.default, and carries the app roles granted to the app`}
}
