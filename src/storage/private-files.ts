import type {Stats} from 'node:fs'
import {chmod, lstat, mkdir} from 'node:fs/promises'
import {dirname} from 'node:path'

import {storageError} from '../errors.js'
import {writeAtomic} from '../lib/atomic-write.js'

/**
 * Creates a directory only the user can enter (0700). An existing one is used as it is, never
 * chmod-ed (ENTRATOOL_CONFIG_DIR=$HOME must not change $HOME), and only when it is a real directory
 * owned by this user: a planted symlink or another user's directory is refused, so no file of ours
 * (and no mode change) lands where someone else chose.
 */
export async function ensurePrivateDir(dir: string): Promise<void> {
  const existing = await lstat(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined
    throw error
  })
  if (existing) {
    refuseUnsafeDir(dir, existing)
    return
  }

  // mkdir -p gives 0700 to the directories it creates and leaves existing parents alone; the
  // chmod undoes a umask that took the owner's own bits, on the directory just made and checked.
  await mkdir(dir, {mode: 0o700, recursive: true})
  const made = await lstat(dir)
  refuseUnsafeDir(dir, made)
  if ((made.mode & 0o777) !== 0o700) await chmod(dir, 0o700)
}

function refuseUnsafeDir(dir: string, info: Stats): void {
  const next = 'point ENTRATOOL_CONFIG_DIR at a directory you own, or move this one aside and let entratool create it'
  if (info.isSymbolicLink()) throw storageError(`${dir} is a symbolic link; entratool keeps its files only in a real directory`, {next})
  if (!info.isDirectory()) throw storageError(`${dir} is not a directory`, {next})
  const uid = process.getuid?.()
  if (uid !== undefined && info.uid !== uid) throw storageError(`${dir} belongs to another user (uid ${info.uid}); entratool keeps its files only in a directory you own`, {next})
}

/**
 * Writes a 0600 file atomically (lib/atomic-write.ts) in a private directory, made when missing;
 * a failure is a storage error (exit 6).
 */
export async function writePrivateFile(file: string, data: Uint8Array | string): Promise<void> {
  try {
    await ensurePrivateDir(dirname(file))
    await writeAtomic(file, data)
  } catch (error) {
    throw storageError(`cannot write ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {
      cause: error,
      next: 'check that the config directory is writable and the disk is not full; nothing was changed',
    })
  }
}
