import {readdir, readFile, rm} from 'node:fs/promises'
import {join} from 'node:path'

import {storageError, usageError} from '../errors.js'
import {readBackendRecord, recordFile} from './backend-record.js'
import {openBackend} from './backends.js'
import {fileKey, keyFile} from './file-key.js'
import {keyCheck, type KeySource, readKeyRecord, writeKeyRecord} from './key-check.js'
import {withLock} from './lock.js'
import {cacheDir, secretsDir} from './profile-names.js'
import {seal, unseal} from './sealed-box.js'

export interface RekeyResult {
  resealed: number
  /** What could not be opened with either key and was removed (--discard): `<profile>/<purpose>` or `<profile>.tokens`. */
  removed: string[]
  source: KeySource
}

/**
 * Re-encrypts the stored secrets and cached tokens under the current key (ENTRATOOL_CACHE_PASSPHRASE,
 * else the key file or the keychain's key). The key they were written with: ENTRATOOL_OLD_CACHE_PASSPHRASE,
 * else the key file. With `discard`, what neither key opens is removed instead of stopping.
 */
export async function rekey(configDir: string, env: NodeJS.ProcessEnv, options: {discard: boolean}): Promise<RekeyResult> {
  const kind = (await readBackendRecord(configDir)) ?? 'file'
  if (kind === 'plaintext') throw usageError('plaintext storage has no key to change')
  return withLock(recordFile(configDir), async () => {
    const backend = await openBackend(kind, configDir, env)
    const key = (await backend.key())!
    const source: KeySource = kind === 'keychain' ? 'keychain' : env.ENTRATOOL_CACHE_PASSPHRASE ? 'passphrase' : 'key-file'
    const keys = join(configDir, 'keys')
    const old = env.ENTRATOOL_OLD_CACHE_PASSPHRASE
      ? (await fileKey(keys, env.ENTRATOOL_OLD_CACHE_PASSPHRASE)).key
      : source === 'passphrase'
        ? await readFile(keyFile(keys)).catch(() => undefined)
        : undefined
    const recorded = await readKeyRecord(configDir)
    if (old && recorded && ![keyCheck(old), keyCheck(key)].includes(recorded.check) && !options.discard) {
      throw storageError(`${env.ENTRATOOL_OLD_CACHE_PASSPHRASE ? 'ENTRATOOL_OLD_CACHE_PASSPHRASE' : `the key file ${keyFile(keys)}`} is not the key these files were written with`, {
        next: 'set ENTRATOOL_OLD_CACHE_PASSPHRASE to the passphrase they were written with; if that key is lost, `entratool rekey --discard` removes what cannot be opened',
      })
    }

    let resealed = 0
    const removed: string[] = []
    const unreadable: string[] = []
    const dirs = kind === 'file' ? [secretsDir(configDir), cacheDir(configDir)] : [cacheDir(configDir)]
    for (const dir of dirs) {
      for (const file of (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.enc'))) {
        const name = decodeURIComponent(file.slice(0, -4))
        const data = await readFile(join(dir, file))
        if (opens(key, data, name)) continue
        const plain = old ? opens(old, data, name) : undefined
        if (plain) {
          await writeSealed(join(dir, file), seal(key, plain, name))
          resealed++
        } else if (options.discard) {
          await rm(join(dir, file), {force: true})
          removed.push(name)
        } else {
          unreadable.push(name)
        }
      }
    }

    if (unreadable.length > 0) {
      throw storageError(`${unreadable.length} stored file${unreadable.length === 1 ? '' : 's'} (${unreadable.join(', ')}) open${unreadable.length === 1 ? 's' : ''} with neither the current key nor the old one; nothing was recorded`, {
        next: 'set ENTRATOOL_OLD_CACHE_PASSPHRASE to the passphrase they were written with, or pass --discard to remove them (stored secrets must then be entered again)',
      })
    }

    await writeKeyRecord(configDir, {check: keyCheck(key), source})
    return {removed, resealed, source}
  })
}

function opens(key: Buffer, data: Buffer, name: string): Buffer | undefined {
  try {
    return unseal(key, data, name)
  } catch {
    return undefined
  }
}

async function writeSealed(file: string, data: Buffer): Promise<void> {
  const {writePrivateFile} = await import('./private-files.js')
  await writePrivateFile(file, data)
}
