/**
 * The az and azd shims' answer from the token cache (shim-answer.ts): the payload `get-token` would
 * print for a cached token, without its status lines, or undefined when only the token service's
 * full path can answer. This is a mode of the token service, not a copy: the flags are read with
 * get-token's own flag table, and TokenService.cachedOnly resolves the profile, picks the storage
 * backend and looks up the cache exactly as getToken does.
 */
import {TokenService} from './flows/token-service.js'
import type {ProfileStore} from './profiles/store.js'
import {renderToken} from './tokens/render-token.js'
import {type CacheableFlags, GET_TOKEN_FLAGS, parseCacheableFlags} from './tokens/token-flags.js'
import {Ui} from './ui/ui.js'

/** get-token's flags when the call may be served from the cache; undefined means "let oclif do it". */
export function parseFastArgs(argv: string[]): CacheableFlags | undefined {
  if (argv[0] !== 'get-token') return undefined
  const flags = parseCacheableFlags(GET_TOKEN_FLAGS, argv.slice(1))
  if (!flags) return undefined
  return {
    minValidityMs: flags['min-validity'] as number | undefined,
    output: (flags.output ?? GET_TOKEN_FLAGS.output.default) as CacheableFlags['output'],
    profile: flags.profile as string | undefined,
    scope: (flags.scope as string[] | undefined) ?? [],
    silent: flags.silent === true,
    tenant: flags.tenant as string | undefined,
  }
}

/**
 * The payload `get-token` would print, when the cache can serve it; else undefined. `profiles` is
 * a store the caller already read (the shims), so profiles.json is read once.
 */
export async function fastGetToken(argv: string[], env: NodeJS.ProcessEnv = process.env, profiles?: ProfileStore): Promise<string | undefined> {
  try {
    const flags = parseFastArgs(argv)
    if (!flags) return undefined
    const request = {minValidityMs: flags.minValidityMs, profile: flags.profile, scope: flags.scope.length > 0 ? flags.scope : undefined, tenant: flags.tenant}
    const cached = await TokenService.cachedOnly(request, env, profiles)
    if (!cached) return undefined
    const payload = await renderToken(cached.outcome, flags.output, env)
    cached.report(new Ui({debug: false, silent: flags.silent}))
    return payload
  } catch {
    return undefined
  }
}
