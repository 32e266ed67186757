import {randomBytes} from 'node:crypto'
import {open, rename, rm} from 'node:fs/promises'

/**
 * Replaces `file` by a temp file beside it + fsync + rename, so a crash or a concurrent reader sees
 * the old contents or the new, never a torn file. The temp file is created exclusively and given
 * `mode` again after the umask had its say; it is removed when anything fails. Errors are the file
 * system's own: the caller says what failed in its own words.
 */
export async function writeAtomic(file: string, data: Uint8Array | string, mode = 0o600): Promise<void> {
  const temp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`
  try {
    const handle = await open(temp, 'wx', mode)
    try {
      await handle.writeFile(data)
      await handle.chmod(mode)
      await handle.sync()
    } finally {
      await handle.close()
    }

    await rename(temp, file)
  } catch (error) {
    await rm(temp, {force: true}).catch(() => {})
    throw error
  }
}
