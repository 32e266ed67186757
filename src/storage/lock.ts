import {dirname} from 'node:path'

import {storageError} from '../errors.js'
import {ensurePrivateDir} from './private-files.js'

/**
 * Runs `work` holding a cross-process lock on `target` (proper-lockfile: a lock directory whose
 * mtime is refreshed while held, so a lock left by a killed process goes stale and is taken over).
 */
export async function withLock<T>(target: string, work: () => Promise<T>): Promise<T> {
  const release = await acquireLock(target)
  try {
    return await work()
  } finally {
    await release().catch(() => {})
  }
}

/** Takes the lock on `target` and returns its release; for holders whose start and end are in different callbacks. */
export async function acquireLock(target: string): Promise<() => Promise<void>> {
  // The CommonJS module's exports, as Node's interop and the bundled hot path (dist/hot) both give them.
  const {lock} = (await import('proper-lockfile')).default
  try {
    await ensurePrivateDir(dirname(target))
    return await lock(target, {
      realpath: false,
      // Waits up to about 50 s in all: longer than `stale`, so a waiter outlives a dead holder.
      retries: {factor: 1.3, maxTimeout: 250, minTimeout: 15, randomize: true, retries: 200},
      // A lock left by a killed process is taken over after 20 s; the holder refreshes it every
      // 2 s. A shorter stale time let a live holder starved of CPU (20 processes on 2 loaded
      // cores) miss its refresh and lose the lock mid-refresh, so two processes refreshed.
      onCompromised: () => {},
      stale: 20_000,
      update: 2000,
    })
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code !== 'ELOCKED') throw storageError(`cannot lock ${target}: ${code ?? (error as Error).message}`, {cause: error, next: 'check that the config directory is writable'})
    throw storageError(`could not lock ${target}: another entratool process holds it`, {
      cause: error,
      next: `wait for the other process to finish; if none is running, remove ${target}.lock`,
    })
  }
}
