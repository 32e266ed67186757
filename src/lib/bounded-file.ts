import {closeSync, constants, fstatSync, openSync, readSync} from 'node:fs'

/** Credentials, CA bundles and federated tokens are a few KB: nothing larger is read. */
export const MAX_CREDENTIAL_BYTES = 1024 * 1024

export type BoundedRead = {data: Buffer; problem?: undefined} | {data?: undefined; problem: string}

/**
 * Reads a regular file of at most `maxBytes`. A FIFO, a device (/dev/zero), a directory or a file
 * that is too large is refused at once: opened non-blocking (a FIFO with no writer would wait
 * forever), checked with fstat, read with a bound. `problem` is a short reason such as "does not
 * exist", "is not a regular file (a FIFO)" or "too large".
 */
export function readBoundedFile(path: string, maxBytes = MAX_CREDENTIAL_BYTES): BoundedRead {
  let fd: number
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    return {problem: code === 'ENOENT' ? 'does not exist' : (code ?? (error as Error).message)}
  }

  try {
    const stat = fstatSync(fd)
    if (!stat.isFile()) return {problem: `is not a regular file (${kind(stat)})`}
    if (stat.size > maxBytes) return {problem: 'too large'}
    const data = Buffer.alloc(maxBytes + 1)
    let size = 0
    for (let n = -1; n !== 0 && size <= maxBytes; size += n) n = readSync(fd, data, size, data.length - size, null)
    return size > maxBytes ? {problem: 'too large'} : {data: data.subarray(0, size)}
  } catch (error) {
    return {problem: (error as NodeJS.ErrnoException).code ?? (error as Error).message}
  } finally {
    closeSync(fd)
  }
}

function kind(stat: import('node:fs').Stats): string {
  if (stat.isDirectory()) return 'a directory'
  if (stat.isFIFO()) return 'a FIFO'
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device'
  if (stat.isSocket()) return 'a socket'
  return 'not a file'
}
