import {storageError} from '../errors.js'
import {ensurePrivateDir} from './fs-safe.js'
import {dirname} from 'node:path'

/**
 * Runs `work` holding a cross-process lock on `target` (proper-lockfile: a lock directory whose
 * mtime is refreshed while held, so a lock left by a killed process goes stale and is taken over).
 */
export async function withLock<T>(target: string, work: () => Promise<T>): Promise<T> {
  await ensurePrivateDir(dirname(target))
  const {lock} = await import('proper-lockfile')
  let release: () => Promise<void>
  try {
    release = await lock(target, {
      realpath: false,
      retries: {factor: 1.3, maxTimeout: 250, minTimeout: 15, randomize: true, retries: 80},
      stale: 10_000,
      update: 2000,
    })
  } catch (error) {
    throw storageError(`could not lock ${target}: another entratool process holds it`, {
      cause: error,
      next: `wait for the other process to finish; if none is running, remove ${target}.lock`,
    })
  }

  try {
    return await work()
  } finally {
    await release().catch(() => {})
  }
}
