import {createHmac} from 'node:crypto'
import {readdir, readFile} from 'node:fs/promises'
import {join} from 'node:path'

import {storageError} from '../errors.js'
import {recordFile} from './backend-record.js'
import {writePrivateFile} from './private-files.js'
import {unseal} from './sealed-box.js'

/** Where the key of the encrypted files comes from. */
export type KeySource = 'key-file' | 'keychain' | 'passphrase'

export interface KeyRecord {
  source: KeySource
  /** HMAC of a fixed text under the key: tells a wrong key from a damaged file, reveals nothing. */
  check: string
}

export const keyCheck = (key: Buffer) => createHmac('sha256', key).update('entratool storage key check v1').digest('base64url').slice(0, 22)

const SOURCE_WORDS: Record<KeySource, string> = {
  'key-file': 'the key file',
  keychain: 'the key in the OS keychain',
  passphrase: 'a key derived from ENTRATOOL_CACHE_PASSPHRASE',
}

export async function readKeyRecord(configDir: string): Promise<KeyRecord | undefined> {
  try {
    return keyRecordIn(JSON.parse(await readFile(recordFile(configDir), 'utf8')))
  } catch {
    return undefined
  }
}

/** The key record in storage.json's parsed content, if it holds a valid one. */
export function keyRecordIn(content: unknown): KeyRecord | undefined {
  const key = (content as {key?: KeyRecord} | null | undefined)?.key
  return key && typeof key.check === 'string' && key.source in SOURCE_WORDS ? key : undefined
}

/** Adds (or replaces) the key record in storage.json, keeping what else it holds. */
export async function writeKeyRecord(configDir: string, record: KeyRecord): Promise<void> {
  const file = recordFile(configDir)
  const current = (JSON.parse(await readFile(file, 'utf8').catch(() => '{}')) ?? {}) as Record<string, unknown>
  await writePrivateFile(file, `${JSON.stringify({...current, key: record})}\n`)
}

/**
 * Checks that `key` is the one the config dir's files were written with; a mismatch is a storage
 * error (exit 6) naming the cause and the fix, instead of every file failing to open later. The
 * first run after an upgrade has no record: one existing file is opened to tell, then it is recorded.
 * `alreadyRead` is the record from a storage.json this call has read already (read once per call).
 */
export async function verifyKey(configDir: string, key: Buffer, source: KeySource, keyFilePath: string, alreadyRead?: {record: KeyRecord | undefined}): Promise<void> {
  const recorded = alreadyRead ? alreadyRead.record : await readKeyRecord(configDir)
  const check = keyCheck(key)
  if (recorded?.check === check) return
  if (recorded === undefined) {
    if (!(await opensAnExistingFile(configDir, key))) throw mismatch(undefined, source, keyFilePath)
    await writeKeyRecord(configDir, {check, source})
    return
  }

  throw mismatch(recorded.source, source, keyFilePath)
}

function mismatch(was: KeySource | undefined, now: KeySource, keyFilePath: string) {
  const rekey = '`entratool rekey`'
  const fromPassphrase = `set ENTRATOOL_OLD_CACHE_PASSPHRASE to the passphrase they were written with and run ${rekey}`
  let message: string
  let next: string
  if (now === 'passphrase' && was === 'passphrase') {
    message = 'the passphrase does not match the one these files were written with (ENTRATOOL_CACHE_PASSPHRASE)'
    next = `set ENTRATOOL_CACHE_PASSPHRASE to the passphrase they were written with; to change it, ${fromPassphrase} with the new one in ENTRATOOL_CACHE_PASSPHRASE`
  } else if (now === 'passphrase' && was === 'key-file') {
    message = `ENTRATOOL_CACHE_PASSPHRASE is set, but the stored secrets and tokens were written with the key file ${keyFilePath}`
    next = `unset ENTRATOOL_CACHE_PASSPHRASE, or re-encrypt them under the passphrase: run ${rekey} with it set`
  } else if (was === 'passphrase') {
    message = `the stored secrets and tokens were written with a key derived from ENTRATOOL_CACHE_PASSPHRASE, and ${now === 'keychain' ? 'the keychain holds another key' : 'it is not set'}`
    next = `set ENTRATOOL_CACHE_PASSPHRASE again; or, to use ${SOURCE_WORDS[now]} from now on, ${fromPassphrase}`
  } else if (was === undefined) {
    message = `the stored secrets and tokens were not written with ${now === 'key-file' ? `the key file ${keyFilePath}` : SOURCE_WORDS[now]}`
    next = `${now === 'passphrase' ? 'unset ENTRATOOL_CACHE_PASSPHRASE or set the one they were written with' : 'restore the key they were written with'}; or ${fromPassphrase}; if that key is lost, \`entratool rekey --discard\` removes what cannot be opened (stored secrets must then be entered again)`
  } else {
    message = `${now === 'key-file' ? `the key file ${keyFilePath}` : SOURCE_WORDS[now]} does not match the one these files were written with (it was replaced or deleted)`
    next = `restore it from a backup; if it is lost, \`entratool rekey --discard\` removes what cannot be opened (stored secrets must then be entered again)`
  }

  return storageError(message, {next})
}

/** True when no sealed file exists yet, or one of them opens with `key` (one may be damaged). */
async function opensAnExistingFile(configDir: string, key: Buffer): Promise<boolean> {
  let tried = 0
  for (const dir of ['secrets', 'cache']) {
    const files = await readdir(join(configDir, dir)).catch(() => [] as string[])
    for (const sealed of files.filter((f) => f.endsWith('.enc'))) {
      tried++
      try {
        unseal(key, await readFile(join(configDir, dir, sealed)), decodeURIComponent(sealed.slice(0, -4)))
        return true
      } catch {
        // Damaged or written with another key: try the next one.
      }
    }
  }

  return tried === 0
}
