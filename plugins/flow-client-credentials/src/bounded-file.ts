import {constants} from 'node:fs'
import {open} from 'node:fs/promises'

/** Certificates, keys and federated tokens are a few KB: nothing larger is read. */
export const MAX_CREDENTIAL_BYTES = 1024 * 1024

/** Why a path is not a readable credential file: its errno code, or one of these words. */
export class FileRefused extends Error {
  constructor(readonly reason: string) {
    super(reason)
  }
}

/**
 * Reads a regular file of at most 1 MB. A FIFO (which would block forever), a device such as
 * /dev/zero (endless), or a directory is refused at once. (The core's lib/bounded-file.ts does the
 * same; a plugin imports no code from the core.)
 */
export async function readCredentialFile(path: string): Promise<Buffer> {
  let handle
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new FileRefused(code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'cannot be read (permission denied)' : `cannot be read (${code ?? (error as Error).message})`)
  }

  try {
    const stat = await handle.stat()
    if (stat.isDirectory()) throw new FileRefused('is a directory')
    if (!stat.isFile()) throw new FileRefused(`is not a regular file (${stat.isFIFO() ? 'a FIFO' : 'a device or socket'})`)
    if (stat.size > MAX_CREDENTIAL_BYTES) throw new FileRefused(`is larger than ${MAX_CREDENTIAL_BYTES / 1024} KB`)
    const data = Buffer.alloc(MAX_CREDENTIAL_BYTES + 1)
    let size = 0
    for (;;) {
      const {bytesRead} = await handle.read(data, size, data.length - size, null)
      if (bytesRead === 0) break
      size += bytesRead
      if (size > MAX_CREDENTIAL_BYTES) throw new FileRefused(`is larger than ${MAX_CREDENTIAL_BYTES / 1024} KB`)
    }

    return data.subarray(0, size)
  } finally {
    await handle.close()
  }
}
