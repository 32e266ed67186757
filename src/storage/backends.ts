import {randomBytes} from 'node:crypto'
import {rm} from 'node:fs/promises'
import {join} from 'node:path'

import {storageError} from '../errors.js'
import {fileKey, keyFile, writeKeyFile} from './file-key.js'
import {FileBlobStore, FileSecretStore} from './file-stores.js'
import type {KeychainSecretStore} from './keychain-store.js'
import {cacheDir, secretsDir} from './profile-names.js'
import type {BackendKind, SecretStore, Storage} from './storage.js'

/** The keychain entry holding the AES key of the encrypted files (secret keys always contain '/'). */
export const FILE_KEY_ENTRY = 'file-key'

/**
 * One place secrets and the files' AES key can live. Blobs are always files in `cache/`, sealed
 * with the backend's key, so moving between backends means moving the secrets and the key.
 */
export interface Backend {
  readonly kind: BackendKind
  readonly secrets: SecretStore
  /** The key sealing the files: null when plaintext, undefined when the keychain holds none yet. */
  currentKey(): Promise<Buffer | null | undefined>
  /** The key, made now when there is none yet (callers hold the storage lock when it may be made). */
  key(): Promise<Buffer | null>
  /** Takes over another backend's key so the sealed files stay readable; false when its key is fixed. */
  adoptKey(key: Buffer): Promise<boolean>
  /** Forgets the key once it lives in another backend. */
  dropKey(): Promise<void>
  readonly description: {secrets: string; tokens: string}
}

export async function openBackend(kind: BackendKind, configDir: string, env: NodeJS.ProcessEnv, keychain?: KeychainSecretStore): Promise<Backend> {
  if (kind === 'keychain') {
    // Imported only here: the file backend's cached-token path never loads the keychain's modules.
    const store = await import('./keychain-store.js')
    return new KeychainBackend(configDir, keychain ?? new store.KeychainSecretStore(configDir, env), store.KEYCHAIN_SERVICE, store.keychainName())
  }

  if (kind === 'file') return FileBackend.open(configDir, env.ENTRATOOL_CACHE_PASSPHRASE)
  return new PlaintextBackend(configDir)
}

export function storageFor(backend: Backend, configDir: string, key: Buffer | null, warnings: string[]): Storage {
  return {blobs: new FileBlobStore(cacheDir(configDir), key), description: backend.description, kind: backend.kind, secrets: backend.secrets, warnings}
}

class KeychainBackend implements Backend {
  readonly description: {secrets: string; tokens: string}
  readonly kind = 'keychain'
  private cached?: Buffer

  constructor(
    configDir: string,
    readonly secrets: KeychainSecretStore,
    private readonly service: string,
    name: string,
  ) {
    this.description = {
      secrets: `OS keychain (${name}, service ${service})`,
      tokens: `encrypted files (AES-256-GCM) in ${cacheDir(configDir)}, key in the OS keychain (${name})`,
    }
  }

  async adoptKey(key: Buffer): Promise<boolean> {
    await this.secrets.set(FILE_KEY_ENTRY, key.toString('base64'))
    this.cached = key
    return true
  }

  async currentKey(): Promise<Buffer | undefined> {
    if (this.cached) return this.cached
    const text = await this.secrets.get(FILE_KEY_ENTRY)
    if (text === undefined) return undefined
    const key = Buffer.from(text, 'base64')
    if (key.length !== 32) {
      throw storageError(`the '${FILE_KEY_ENTRY}' entry of ${this.service} in the OS keychain is damaged (${key.length} bytes, expected 32)`, {
        next: 'delete that entry; entratool makes a new key (cached tokens are then lost and need a new sign-in)',
      })
    }

    this.cached = key
    return key
  }

  async dropKey(): Promise<void> {
    await this.secrets.delete(FILE_KEY_ENTRY)
    this.cached = undefined
  }

  async key(): Promise<Buffer> {
    const existing = await this.currentKey()
    if (existing) return existing
    const key = randomBytes(32)
    await this.adoptKey(key)
    return key
  }
}

class FileBackend implements Backend {
  readonly kind = 'file'

  private constructor(
    private readonly configDir: string,
    private readonly passphrase: string | undefined,
    private current: {key: Buffer; source: string},
  ) {}

  static async open(configDir: string, passphrase: string | undefined): Promise<FileBackend> {
    return new FileBackend(configDir, passphrase, await fileKey(join(configDir, 'keys'), passphrase))
  }

  get description() {
    const where = `(AES-256-GCM, key: ${this.current.source})`
    return {secrets: `encrypted files in ${secretsDir(this.configDir)} ${where}`, tokens: `encrypted files in ${cacheDir(this.configDir)} ${where}`}
  }

  /** Built from the current key, which changes when a key moves in from another backend. */
  get secrets(): SecretStore {
    return new FileSecretStore(new FileBlobStore(secretsDir(this.configDir), this.current.key))
  }

  async adoptKey(key: Buffer): Promise<boolean> {
    if (this.passphrase) return false
    await writeKeyFile(join(this.configDir, 'keys'), key)
    this.current = {...this.current, key}
    return true
  }

  async currentKey(): Promise<Buffer> {
    return this.current.key
  }

  async dropKey(): Promise<void> {
    await rm(keyFile(join(this.configDir, 'keys')), {force: true})
  }

  async key(): Promise<Buffer> {
    return this.current.key
  }
}

class PlaintextBackend implements Backend {
  readonly description: {secrets: string; tokens: string}
  readonly kind = 'plaintext'
  readonly secrets: SecretStore

  constructor(configDir: string) {
    this.secrets = new FileSecretStore(new FileBlobStore(secretsDir(configDir), null))
    this.description = {
      secrets: `PLAINTEXT files in ${secretsDir(configDir)} (ENTRATOOL_STORAGE=plaintext)`,
      tokens: `PLAINTEXT files in ${cacheDir(configDir)} (ENTRATOOL_STORAGE=plaintext)`,
    }
  }

  async adoptKey(): Promise<boolean> {
    return false
  }

  async currentKey(): Promise<null> {
    return null
  }

  async dropKey(): Promise<void> {}

  async key(): Promise<null> {
    return null
  }
}
