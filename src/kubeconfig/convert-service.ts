import {copyFile, chmod, readFile, stat} from 'node:fs/promises'
import {homedir} from 'node:os'
import {delimiter, join} from 'node:path'

import {configError, storageError} from '../errors.js'
import {writeAtomic} from '../lib/atomic-write.js'
import {ProfileStore} from '../profiles/store.js'
import {profileName} from '../settings/resolve.js'
import {type ConversionPlan, planConversion} from './convert.js'
import {unifiedDiff} from './line-diff.js'

export interface ConvertRequest {
  configDir: string
  context?: string
  dryRun: boolean
  env: NodeJS.ProcessEnv
  file?: string
  profile?: string
}

export interface ConvertResult extends ConversionPlan {
  file: string
  diff: string
  /** Where the original was copied before it was replaced; undefined on --dry-run or no change. */
  backup?: string
}

/** kubectl's own choice: --kubeconfig, else the first file in KUBECONFIG, else ~/.kube/config. */
export function kubeconfigPath(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  return flag ?? env.KUBECONFIG?.split(delimiter).find(Boolean) ?? join(env.HOME || homedir(), '.kube', 'config')
}

export async function convertKubeconfig(request: ConvertRequest): Promise<ConvertResult> {
  const file = kubeconfigPath(request.file, request.env)
  let source: string
  try {
    source = await readFile(file, 'utf8')
  } catch (error) {
    throw configError(`cannot read the kubeconfig ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {next: 'pass --kubeconfig with the file kubectl uses'})
  }

  const store = new ProfileStore(request.configDir)
  if (request.profile) await store.get(profileName(request.profile, {}, undefined))
  const plan = planConversion(source, {context: request.context, env: request.env, existing: store.read(), now: new Date().toISOString(), profile: request.profile})
  const diff = unifiedDiff(source, plan.text, file)
  if (request.dryRun || plan.text === source) return {...plan, diff, file}

  const backup = `${file}.entratool-backup-${new Date().toISOString().replaceAll(/[-:]|\.\d+/g, '')}`
  const {mode} = await stat(file)
  try {
    await copyFile(file, backup)
    await chmod(backup, 0o600)
  } catch (error) {
    throw storageError(`cannot write the backup ${backup}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {next: 'nothing was changed; check that the kubeconfig directory is writable'})
  }

  for (const profile of plan.create) await store.create(profile)
  await replaceFile(file, plan.text, mode & 0o777)
  return {...plan, backup, diff, file}
}

/** Atomically, with the original's mode: never a torn kubeconfig. */
async function replaceFile(file: string, text: string, mode: number): Promise<void> {
  try {
    await writeAtomic(file, text, mode)
  } catch (error) {
    throw storageError(`cannot write ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {next: 'the original is unchanged (and its backup is beside it)'})
  }
}
