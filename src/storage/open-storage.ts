import type {Interfaces} from '@oclif/core'

import {isEntraToolError, storageError} from '../errors.js'
import {CREDENTIAL_PROVIDER_HOOK, type CredentialProviderOptions, type Storage} from './storage.js'

/** Where all state lives: ENTRATOOL_CONFIG_DIR, else oclif's config dir (~/.config/entratool). */
export function configDir(config: Interfaces.Config, env: NodeJS.ProcessEnv): string {
  return env.ENTRATOOL_CONFIG_DIR || config.configDir
}

/**
 * Asks the credential-provider hook for the storage backend. A plugin's answer wins over the
 * core's, so a plugin can supply another backend.
 */
export async function openStorage(config: Interfaces.Config, env: NodeJS.ProcessEnv): Promise<Storage> {
  const options: CredentialProviderOptions = {configDir: configDir(config, env), env}
  const result = await config.runHook(CREDENTIAL_PROVIDER_HOOK as 'init', options as never, 15_000, true)
  const failure = result.failures[0]?.error
  if (failure) throw isEntraToolError(failure) ? failure : storageError(`the storage backend failed: ${failure.message}`, {cause: failure})
  const answers = result.successes.filter((s) => s.result)
  const chosen = answers.find((s) => s.plugin.name !== config.name) ?? answers[0]
  if (!chosen) throw storageError('no storage backend answered', {next: 'reinstall entratool; its credential-provider hook is missing'})
  return chosen.result as unknown as Storage
}
