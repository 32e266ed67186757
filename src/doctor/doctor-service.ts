import type {Interfaces} from '@oclif/core'

import {isEntraToolError} from '../errors.js'
import {ProfileStore} from '../profiles/store.js'
import {profileName, resolveSettings} from '../settings/resolve.js'
import {configDir} from '../storage/open-storage.js'
import {authorityChecks, type AuthorityProbeOptions} from './authority.js'
import {type CheckResult, fail, firstFailure, ok} from './check.js'
import {directoryChecks} from './directories.js'
import {pluginChecks} from './plugins.js'
import {runtimeCheck} from './runtime.js'
import {type KeychainProbe, storageChecks} from './storage.js'

export interface DoctorOptions extends AuthorityProbeOptions {
  /** -p: the profile whose authority, CA file and proxy are checked. */
  profile?: string
  keychainProbe?: KeychainProbe
}

export interface DoctorReport {
  healthy: boolean
  /** The first failure, the one to fix first; null when healthy. */
  problem: CheckResult | null
  checks: CheckResult[]
}

/**
 * Runs every check, the slow ones (the keychain, the authority) side by side, each bounded in
 * time. Reads only: nothing is created, moved or written.
 */
export async function runDoctor(config: Interfaces.Config, env: NodeJS.ProcessEnv, options: DoctorOptions = {}): Promise<DoctorReport> {
  const dir = configDir(config, env)
  const groups = [
    [runtimeCheck(config.version)],
    ...(await Promise.all([
      directoryChecks({cache: config.cacheDir, config: dir, data: config.dataDir}),
      storageChecks(dir, env, options.keychainProbe),
      profileChecks(dir, env, options),
      pluginChecks(config),
    ])),
  ]
  const checks = groups.flat()
  const problem = firstFailure(checks) ?? null
  return {checks, healthy: problem === null, problem}
}

async function profileChecks(dir: string, env: NodeJS.ProcessEnv, options: DoctorOptions): Promise<CheckResult[]> {
  const store = new ProfileStore(dir)
  let file
  try {
    file = store.read()
  } catch (error) {
    if (!isEntraToolError(error)) throw error
    return [fail('profiles', error.message, error.next ?? `fix or move ${store.file}`)]
  }

  const named = options.profile ?? (env.ENTRATOOL_PROFILE || undefined)
  let name: string
  try {
    name = profileName(options.profile, env, file.defaultProfile)
  } catch (error) {
    if (!isEntraToolError(error)) throw error
    return [fail('profile', error.message, 'pass -p with the name of a profile (`entratool list-profiles`)')]
  }

  const profile = file.profiles[name]
  const count = Object.keys(file.profiles).length
  if (!profile) {
    if (named) return [fail('profile', `no profile '${name}' in ${store.file}`, 'pass -p with one of `entratool list-profiles`, or create it with `entratool create-profile`')]
    return [ok('profile', count === 0 ? 'none yet: create one with `entratool create-profile`, then `entratool doctor -p NAME` checks its authority' : `${count} profile${count === 1 ? '' : 's'}, no default: pass -p NAME to check a profile's authority`)]
  }

  let settings
  try {
    settings = resolveSettings(name, {}, env, profile)
  } catch (error) {
    if (!isEntraToolError(error)) throw error
    return [fail('profile', `${name}: ${error.message}`, error.next ?? `fix it with \`entratool edit-profile --name ${name}\``)]
  }

  const results = [ok('profile', `${name} (flow ${settings.flow}, tenant ${settings.tenantId}, client ${settings.clientId})`)]
  if (settings.flow === 'managed-identity') {
    results.push(ok('authority', 'a managed-identity profile gets its tokens from the host\'s identity endpoint, not from an authority'))
    return results
  }

  return [...results, ...(await authorityChecks(settings, env, options))]
}
