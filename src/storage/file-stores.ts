import {readdir, readFile, rm} from 'node:fs/promises'
import {join} from 'node:path'

import {writePrivateFile} from './private-files.js'
import {seal, unseal} from './sealed-box.js'
import {type BlobStore, type SecretStore, UndecryptableSecretError, UnreadableBlobError} from './storage.js'

/** Blobs as files in one 0700 directory, sealed with `key`, or plain when key is null. */
export class FileBlobStore implements BlobStore {
  constructor(
    private readonly dir: string,
    private readonly key: Buffer | null,
    private readonly extension = key ? '.enc' : '.json',
  ) {}

  async delete(name: string): Promise<void> {
    await rm(this.path(name), {force: true})
  }

  /** The names of the blobs stored here (for moving them to another backend). */
  async names(): Promise<string[]> {
    let files: string[]
    try {
      files = await readdir(this.dir)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
      throw error
    }

    return files.filter((f) => f.endsWith(this.extension)).map((f) => decodeURIComponent(f.slice(0, -this.extension.length)))
  }

  path(name: string): string {
    return join(this.dir, `${encodeURIComponent(name)}${this.extension}`)
  }

  async read(name: string): Promise<Buffer | undefined> {
    const file = this.path(name)
    let data: Buffer
    try {
      data = await readFile(file)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw new UnreadableBlobError(file, (error as Error).message)
    }

    if (!this.key) return data
    try {
      return unseal(this.key, data, name)
    } catch (error) {
      throw new UnreadableBlobError(file, `${(error as Error).message} (tampered, truncated, or encrypted with another key)`)
    }
  }

  async write(name: string, data: Buffer | string): Promise<void> {
    await writePrivateFile(this.path(name), this.key ? seal(this.key, data, name) : data)
  }
}

/** Secrets as blobs: one file per secret. */
export class FileSecretStore implements SecretStore {
  constructor(private readonly blobs: BlobStore) {}

  async delete(key: string): Promise<void> {
    await this.blobs.delete(key)
  }

  async get(key: string): Promise<string | undefined> {
    try {
      return (await this.blobs.read(key))?.toString('utf8')
    } catch (error) {
      if (!(error instanceof UnreadableBlobError)) throw error
      // Keys are `<profile>/<purpose>`: say whose secret it is and how to store it again.
      const [profile, purpose] = key.split('/')
      const flag = purpose === 'certificate-password' ? '--certificate-password-stdin' : '--client-secret-stdin'
      throw new UndecryptableSecretError(error.file, error.message, `the stored ${purpose?.replace('-', ' ') ?? 'secret'} of profile '${profile}' cannot be decrypted: ${error.message}`, `store it again: \`printf %s "$SECRET" | entratool edit-profile --name ${profile} ${flag}\``)
    }
  }

  async set(key: string, value: string): Promise<void> {
    await this.blobs.write(key, value)
  }
}
