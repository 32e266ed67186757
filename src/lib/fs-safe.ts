import {randomBytes} from 'node:crypto'
import {chmod, mkdir, open, rename, rm} from 'node:fs/promises'
import {dirname} from 'node:path'

import {storageError} from '../errors.js'

/** Creates a directory only the user can enter (0700), tightening it if it already exists. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, {mode: 0o700, recursive: true})
  await chmod(dir, 0o700)
}

/**
 * Writes a 0600 file by temp file + fsync + rename, so a crash or a concurrent reader sees the old
 * contents or the new, never a torn file.
 */
export async function writeFileAtomic(file: string, data: Uint8Array | string): Promise<void> {
  const temp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`
  try {
    await ensurePrivateDir(dirname(file))
    const handle = await open(temp, 'wx', 0o600)
    try {
      await handle.writeFile(data)
      await handle.sync()
    } finally {
      await handle.close()
    }

    await rename(temp, file)
  } catch (error) {
    await rm(temp, {force: true}).catch(() => {})
    throw storageError(`cannot write ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {
      cause: error,
      next: 'check that the config directory is writable and the disk is not full; nothing was changed',
    })
  }
}
