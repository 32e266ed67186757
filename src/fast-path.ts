/**
 * Serves `get-token` with a valid cached token before oclif loads. entratool is called before
 * every request in scripts and by kubectl, and booting oclif alone costs about twice a bare Node
 * start; this path imports only Node built-ins and the small modules it needs.
 *
 * It is deliberately narrow: only the flags below, only the built-in storage hook, no plugins
 * installed by the user. Anything else, any miss, any error returns false and oclif handles the
 * command from the start, so behaviour never differs from the full path.
 */
import {existsSync} from 'node:fs'
import {homedir} from 'node:os'
import {join} from 'node:path'

import credentialProvider from './hooks/credential-provider.js'
import {parseDuration} from './lib/duration.js'
import {renderToken, TOKEN_FORMATS, type TokenFormat} from './lib/render-token.js'
import {Ui} from './ui/ui.js'
import {ProfileStore} from './profiles/store.js'
import {profileName, resolveSettings} from './settings/resolve.js'
import {announceCached, findCachedToken, scopeNote} from './tokens/cached-token.js'

interface FastFlags {
  minValidityMs?: number
  output: TokenFormat
  profile?: string
  scope: string[]
  silent: boolean
  tenant?: string
}

/** Parses the few flags the fast path accepts; undefined means "let oclif do it". */
export function parseFastArgs(argv: string[]): FastFlags | undefined {
  if (argv[0] !== 'get-token') return undefined
  const flags: FastFlags = {output: 'token', scope: [], silent: false}
  for (let i = 1; i < argv.length; i++) {
    const [name, inline] = argv[i].startsWith('--') && argv[i].includes('=') ? [argv[i].slice(0, argv[i].indexOf('=')), argv[i].slice(argv[i].indexOf('=') + 1)] : [argv[i], undefined]
    if (name === '-q' || name === '--silent') {
      if (inline !== undefined) return undefined
      flags.silent = true
      continue
    }

    const value = inline ?? argv[++i]
    if (value === undefined || (inline === undefined && value.startsWith('-'))) return undefined
    switch (name) {
      case '-o':
      case '--output': {
        if (!(TOKEN_FORMATS as readonly string[]).includes(value)) return undefined
        flags.output = value as TokenFormat
        break
      }

      case '-p':
      case '--profile': {
        flags.profile = value
        break
      }

      case '-s':
      case '--scope': {
        flags.scope.push(value)
        break
      }

      case '--tenant': {
        flags.tenant = value
        break
      }

      case '--min-validity': {
        try {
          flags.minValidityMs = parseDuration(value)
        } catch {
          return undefined
        }

        break
      }

      default: {
        return undefined
      }
    }
  }

  return flags
}

/** oclif's own locations (it also honours ENTRATOOL_CONFIG_DIR / ENTRATOOL_DATA_DIR). */
export function dirs(env: NodeJS.ProcessEnv): {config: string; data: string} | undefined {
  if (process.platform === 'win32' && !env.ENTRATOOL_CONFIG_DIR) return undefined
  const home = env.HOME || homedir()
  return {
    config: env.ENTRATOOL_CONFIG_DIR || join(env.XDG_CONFIG_HOME || join(home, '.config'), 'entratool'),
    data: env.ENTRATOOL_DATA_DIR || join(env.XDG_DATA_HOME || join(home, '.local', 'share'), 'entratool'),
  }
}

export async function tryFastGetToken(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  const payload = await fastGetToken(argv, env)
  if (payload === undefined) return false
  process.stdout.write(payload)
  return true
}

/** The payload `get-token` would print, when the fast path can serve it; else undefined. */
export async function fastGetToken(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  try {
    const flags = parseFastArgs(argv)
    const where = dirs(env)
    // User-installed plugins may answer the credential-provider hook: only oclif knows them.
    if (!flags || !where || env.ENTRATOOL_DEBUG || existsSync(join(where.data, 'package.json'))) return undefined
    const file = new ProfileStore(where.config).read()
    const name = profileName(flags.profile, env, file.defaultProfile)
    const profile = Object.hasOwn(file.profiles, name) ? file.profiles[name] : undefined
    if (!profile) return undefined
    const settings = resolveSettings(name, {minValidityMs: flags.minValidityMs, scope: flags.scope.length > 0 ? flags.scope : undefined, tenant: flags.tenant}, env, profile)
    const storage = await credentialProvider({configDir: where.config, env})
    if (storage.warnings.length > 0) return undefined
    let damaged = false
    const outcome = await findCachedToken(settings, storage, () => (damaged = true))
    // A damaged token file is warned about by the full path, once.
    if (!outcome || damaged) return undefined
    const payload = await renderToken(outcome, flags.output, env)
    const ui = new Ui({debug: false, silent: flags.silent})
    const note = scopeNote(settings)
    if (note) ui.status(note)
    announceCached(ui, outcome)
    return payload
  } catch {
    return undefined
  }
}
