import {join} from 'node:path'

import {usageError} from '../errors.js'
import {fileKey} from '../storage/file-key.js'
import {FileBlobStore, FileSecretStore} from '../storage/file-stores.js'
import type {BackendKind, CredentialProviderOptions, Storage} from '../storage/storage.js'

const KINDS: BackendKind[] = ['keychain', 'file', 'plaintext']

/**
 * The credential-provider hook: picks where tokens and secrets live. `ENTRATOOL_STORAGE` forces a
 * backend; plaintext is used only when named there. A plugin may answer this hook too and supply
 * its own backend (the core prefers a plugin's answer).
 */
export default async function credentialProvider(options: CredentialProviderOptions): Promise<Storage> {
  const forced = options.env.ENTRATOOL_STORAGE?.trim().toLowerCase()
  if (forced && !KINDS.includes(forced as BackendKind)) {
    throw usageError(`ENTRATOOL_STORAGE='${options.env.ENTRATOOL_STORAGE}' is not a storage backend`, {next: `set it to one of: ${KINDS.join(', ')}`})
  }

  if (forced === 'plaintext') return plaintextStorage(options.configDir)
  return encryptedFileStorage(options)
}

async function encryptedFileStorage({configDir, env}: CredentialProviderOptions): Promise<Storage> {
  const {key, source} = await fileKey(join(configDir, 'keys'), env.ENTRATOOL_CACHE_PASSPHRASE)
  const blobs = new FileBlobStore(join(configDir, 'cache'), key)
  return {
    blobs,
    description: {secrets: `encrypted file (AES-256-GCM, ${source})`, tokens: `encrypted file (AES-256-GCM, ${source})`},
    kind: 'file',
    secrets: new FileSecretStore(new FileBlobStore(join(configDir, 'secrets'), key)),
    warnings: [],
  }
}

function plaintextStorage(configDir: string): Storage {
  return {
    blobs: new FileBlobStore(join(configDir, 'cache'), null),
    description: {secrets: 'PLAINTEXT file (ENTRATOOL_STORAGE=plaintext)', tokens: 'PLAINTEXT file (ENTRATOOL_STORAGE=plaintext)'},
    kind: 'plaintext',
    secrets: new FileSecretStore(new FileBlobStore(join(configDir, 'secrets'), null)),
    warnings: ['ENTRATOOL_STORAGE=plaintext: tokens and secrets are stored UNENCRYPTED on disk'],
  }
}
