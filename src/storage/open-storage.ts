import type {Interfaces} from '@oclif/core'

import {isEntraToolError, storageError} from '../errors.js'
import {stateDirs} from './state-dirs.js'
import {CREDENTIAL_PROVIDER_HOOK, type CredentialProviderOptions, type Storage} from './storage.js'

/** Where all state lives: ENTRATOOL_CONFIG_DIR, else oclif's config dir (~/.config/entratool). */
export function configDir(config: Interfaces.Config, env: NodeJS.ProcessEnv): string {
  return stateDirs(env, config)!.config
}

/**
 * The one backend choice: the credential-provider hook. Through oclif every plugin's answer is
 * asked and a plugin's wins over the core's, so a plugin can supply another backend. Without oclif
 * (`config` undefined: the pre-oclif path, which runs only when no user plugin is installed) the
 * core's own hook is the only answer and is called directly.
 */
export async function openStorage(config: Interfaces.Config | undefined, env: NodeJS.ProcessEnv, dir?: string): Promise<Storage> {
  const options: CredentialProviderOptions = {configDir: dir ?? stateDirs(env, config)!.config, env}
  if (!config) {
    const {default: credentialProvider} = await import('../hooks/credential-provider.js')
    return credentialProvider(options)
  }

  const result = await config.runHook(CREDENTIAL_PROVIDER_HOOK, options, 15_000, true)
  const failure = result.failures[0]?.error
  if (failure) throw isEntraToolError(failure) ? failure : storageError(`the storage backend failed: ${failure.message}`, {cause: failure})
  const answers = result.successes.filter((s): s is typeof s & {result: Storage} => Boolean(s.result))
  const chosen = answers.find((s) => s.plugin.name !== config.name) ?? answers[0]
  if (!chosen) throw storageError('no storage backend answered', {next: 'reinstall entratool; its credential-provider hook is missing'})
  return chosen.result
}
