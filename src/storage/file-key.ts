import {randomBytes, scrypt} from 'node:crypto'
import {link, readFile, rm} from 'node:fs/promises'
import {join} from 'node:path'
import {promisify} from 'node:util'

import {storageError} from '../errors.js'
import {writePrivateFile} from './private-files.js'

const scryptAsync = promisify(scrypt) as (password: string, salt: Buffer, keylen: number, options: object) => Promise<Buffer>

/** scrypt cost: ~50 ms here, paid once per process, only when a passphrase is used. */
const SCRYPT = {N: 2 ** 14, maxmem: 64 * 1024 * 1024, p: 1, r: 8}

/**
 * The AES-256 key for the encrypted files: derived from ENTRATOOL_CACHE_PASSPHRASE when set,
 * otherwise a random key in a 0600 file (which protects against other users and backups of the
 * cache alone, not against this user's own processes).
 */
export async function fileKey(keyDir: string, passphrase: string | undefined): Promise<{key: Buffer; source: string}> {
  if (passphrase !== undefined && passphrase !== '') {
    const salt = await readOrCreate(join(keyDir, 'passphrase.salt'), 16)
    return {key: await scryptAsync(passphrase, salt, 32, SCRYPT), source: 'a key derived from ENTRATOOL_CACHE_PASSPHRASE'}
  }

  const file = keyFile(keyDir)
  return {key: await readOrCreate(file, 32), source: `the key file ${file}`}
}

export const keyFile = (keyDir: string) => join(keyDir, 'file.key')

/** Puts a key that moved here from another backend into the key file, so its files stay readable. */
export async function writeKeyFile(keyDir: string, key: Buffer): Promise<void> {
  await writePrivateFile(keyFile(keyDir), key)
}

async function readOrCreate(file: string, bytes: number): Promise<Buffer> {
  try {
    const data = await readFile(file)
    if (data.length !== bytes) throw storageError(`${file} is damaged (${data.length} bytes, expected ${bytes})`, {next: `move ${file} aside; entratool makes a new one (cached tokens and stored secrets must then be entered again)`})
    return data
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }

  // Created once by temp file + link: link fails when another process won the race, and then
  // its key is the one everybody uses.
  const temp = `${file}.${process.pid}.tmp`
  try {
    await writePrivateFile(temp, randomBytes(bytes))
    await link(temp, file)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw storageError(`cannot create ${file}: ${(error as Error).message}`, {cause: error})
  } finally {
    await rm(temp, {force: true})
  }

  return readFile(file)
}
