import type {Interfaces} from '@oclif/core'

import {isEntraToolError, storageError} from '../errors.js'
import {FileBlobStore} from './file-stores.js'
import {RememberedBlobStore} from './remembered-blobs.js'
import {stateDirs} from './state-dirs.js'
import {CREDENTIAL_PROVIDER_HOOK, type CredentialProviderOptions, type Storage} from './storage.js'

type Dirs = Pick<Interfaces.Config, 'configDir' | 'dataDir'>

/** Where all state lives: ENTRATOOL_CONFIG_DIR, else oclif's config dir (~/.config/entratool). */
export function configDir(config: Dirs, env: NodeJS.ProcessEnv): string {
  return stateDirs(env, config)!.config
}

/**
 * The one backend choice: asks the credential-provider hook for the storage backend. Through oclif
 * every plugin is asked and a plugin's answer wins over the core's, so a plugin can supply another
 * backend; before oclif loads (no user plugins) the core's own hook answers (built-in-hooks.ts).
 * The core's file blobs are read once per Storage (remembered-blobs.ts); a plugin's blob store is
 * used as it is, since that reasoning holds only for files replaced by rename.
 */
export async function openStorage(config: Dirs & Pick<Interfaces.Config, 'name' | 'runHook'>, env: NodeJS.ProcessEnv, dir = configDir(config, env)): Promise<Storage> {
  const options: CredentialProviderOptions = {configDir: dir, env}
  const result = await config.runHook(CREDENTIAL_PROVIDER_HOOK, options, 15_000, true)
  const failure = result.failures[0]?.error
  if (failure) throw isEntraToolError(failure) ? failure : storageError(`the storage backend failed: ${failure.message}`, {cause: failure})
  const answers = result.successes.filter((s): s is typeof s & {result: Storage} => Boolean(s.result))
  const chosen = answers.length === 1 ? answers[0] : (answers.find((s) => s.plugin.name !== config.name) ?? answers[0])
  if (!chosen) throw storageError('no storage backend answered', {next: 'reinstall entratool; its credential-provider hook is missing'})
  const storage = chosen.result
  return storage.blobs instanceof FileBlobStore ? {...storage, blobs: new RememberedBlobStore(storage.blobs)} : storage
}
