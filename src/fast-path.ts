/**
 * Serves `get-token` with a valid cached token before oclif loads. entratool is called before
 * every request in scripts and by kubectl, and booting oclif alone costs about twice a bare Node
 * start. This is a mode of the token service, not a copy: the flags are read with get-token's own
 * flag table, and TokenService.cachedOnly resolves the profile, picks the storage backend and looks
 * up the cache exactly as getToken does. Anything it cannot serve returns false and oclif handles
 * the command from the start, so behaviour never differs from the full path.
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

export async function tryFastGetToken(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  const payload = await fastGetToken(argv, env)
  if (payload === undefined) return false
  process.stdout.write(payload)
  return true
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
