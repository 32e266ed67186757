import {join} from 'node:path'

import {usageError} from '../errors.js'
import {BACKEND_KINDS, readStorageRecord, recordFile} from '../storage/backend-record.js'
import {openBackend, storageFor} from '../storage/backends.js'
import {exposedFiles} from '../storage/exposed-files.js'
import {keyFile} from '../storage/file-key.js'
import {keyRecordIn, type KeySource, verifyKey} from '../storage/key-check.js'
import type {KeychainSecretStore} from '../storage/keychain-store.js'
import {withLock} from '../storage/lock.js'
import {ensurePrivateDir} from '../storage/private-files.js'
import type {BackendKind, CredentialProviderOptions, Storage} from '../storage/storage.js'

/** Never a real secret: reading it only shows whether the keychain answers. */
const PROBE_ENTRY = 'probe'

/**
 * The credential-provider hook: picks where tokens and secrets live. `ENTRATOOL_STORAGE` forces a
 * backend (plaintext is used only when named there). Otherwise the backend recorded in
 * `storage.json` is used without probing, which keeps the cached-token path fast; on first use
 * the keychain is asked once and, when it does not answer, encrypted files are used. A change of
 * backend moves the secrets and the key over. A plugin may answer this hook too and supply its
 * own backend (the core prefers a plugin's answer).
 */
export default async function credentialProvider(options: CredentialProviderOptions): Promise<Storage> {
  const {configDir, env} = options
  // A planted symlink or another user's directory is refused before anything is read or written.
  await ensurePrivateDir(configDir)
  const forced = forcedBackend(env)
  const stored = await readStorageRecord(configDir)
  const recorded = stored.backend
  const warnings: string[] = []
  let chosen = forced ?? (recorded === 'plaintext' ? undefined : recorded)
  // With the backend as recorded nothing is moved, so the scan of key and secret files' modes can
  // run beside the key's reading instead of after it.
  const scan = (): Promise<string[]> => (process.platform === 'win32' ? Promise.resolve([]) : exposedFiles(configDir, ['keys', 'secrets']).then(({exposed}) => exposed))
  const early = chosen !== undefined && chosen === recorded ? scan() : undefined
  let keychain: KeychainSecretStore | undefined
  if (!chosen) {
    const {KeychainSecretStore} = await import('../storage/keychain-store.js')
    keychain = new KeychainSecretStore(configDir, env)
    const silence = await keychain.get(PROBE_ENTRY).then(
      () => undefined,
      (error: Error) => error.message,
    )
    chosen = silence ? 'file' : 'keychain'
    if (silence) warnings.push(`${silence}; tokens and secrets are kept in an AES-256-GCM encrypted file instead (ENTRATOOL_STORAGE=keychain moves them once it answers)`)
  }

  const backend = await openBackend(chosen, configDir, env, keychain)
  if (chosen !== recorded) {
    const {switchBackend} = await import('../storage/switch-backend.js')
    warnings.push(...(await switchBackend(configDir, env, backend)))
  }

  // The keychain's key is made under the lock, so processes starting together agree on one.
  const key = (await backend.currentKey()) ?? (await withLock(recordFile(configDir), () => backend.key()))
  // A changed, wrong or lost key is named now (exit 6), not met as files that will not open.
  // storage.json was read above; only a switch of backend rewrote it since.
  if (key) await verifyKey(configDir, key, keySource(backend.kind, env), keyFile(join(configDir, 'keys')), chosen === recorded ? {record: keyRecordIn(stored.content)} : undefined)
  if (backend.kind === 'plaintext') warnings.push('ENTRATOOL_STORAGE=plaintext: tokens and secrets are stored UNENCRYPTED on disk')
  // As ssh warns about a private key others can read: a key or secret file restored with loose modes.
  const exposed = await (early ?? scan())
  if (exposed.length > 0) warnings.push(`readable by group or others: ${exposed.join(', ')}; run \`chmod 600 ${exposed.map((f) => f.replace(/ \(mode.*$/, '')).join(' ')}\``)

  return storageFor(backend, configDir, key, warnings)
}

export function keySource(kind: BackendKind, env: NodeJS.ProcessEnv): KeySource {
  if (kind === 'keychain') return 'keychain'
  return env.ENTRATOOL_CACHE_PASSPHRASE ? 'passphrase' : 'key-file'
}

function forcedBackend(env: NodeJS.ProcessEnv): BackendKind | undefined {
  const value = env.ENTRATOOL_STORAGE?.trim().toLowerCase()
  if (!value) return undefined
  if (!BACKEND_KINDS.includes(value as BackendKind)) {
    throw usageError(`ENTRATOOL_STORAGE='${env.ENTRATOOL_STORAGE}' is not a storage backend`, {next: `set it to one of: ${BACKEND_KINDS.join(', ')}`})
  }

  return value as BackendKind
}
