import type {ICachePlugin, TokenCacheContext} from '@azure/msal-node'

import {storageError} from '../errors.js'
import {type BlobStore, UnreadableBlobError} from '../storage/storage.js'

/**
 * MSAL's token cache for one profile, persisted as one blob (encrypted file by default). The
 * caller holds the profile's cross-process lock around every MSAL call, so this plugin only reads
 * before and writes after. A damaged cache is reported once and treated as empty; the next
 * sign-in replaces it.
 */
export class ProfileCachePlugin implements ICachePlugin {
  /**
   * Set while a sign-in runs without the profile lock (the person may take minutes): each cache
   * access then takes the lock itself, re-reads the file and writes before letting go.
   */
  guard?: () => Promise<() => Promise<void>>
  private loaded = false
  private warned = false
  private release?: () => Promise<void>

  constructor(
    private readonly blobs: BlobStore,
    private readonly name: string,
    private readonly warn: (line: string) => void,
  ) {}

  async afterCacheAccess(context: TokenCacheContext): Promise<void> {
    const release = this.release
    this.release = undefined
    try {
      if (!context.cacheHasChanged) return
      await this.blobs.write(this.name, context.tokenCache.serialize())
    } catch (error) {
      throw storageError(`cannot save the token cache ${this.blobs.path(this.name)}: ${(error as Error).message}`, {cause: error, next: 'check that the config directory is writable and the disk is not full'})
    } finally {
      await release?.().catch(() => {})
    }
  }

  async beforeCacheAccess(context: TokenCacheContext): Promise<void> {
    if (this.guard) {
      this.release = await this.guard()
      this.loaded = false
    }

    // One load per process while the caller holds the lock: it keeps other processes out.
    if (this.loaded) return
    this.loaded = true
    try {
      const data = await this.blobs.read(this.name)
      if (data) context.tokenCache.deserialize(data.toString('utf8'))
    } catch (error) {
      if (!(error instanceof UnreadableBlobError) && !(error instanceof SyntaxError)) throw error
      if (this.warned) return
      this.warned = true
      this.warn(`the token cache ${this.blobs.path(this.name)} is damaged and was ignored (${error.message.split('\n')[0]}); the next sign-in replaces it`)
    }
  }
}
