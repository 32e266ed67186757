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
  private loaded = false

  constructor(
    private readonly blobs: BlobStore,
    private readonly name: string,
    private readonly warn: (line: string) => void,
  ) {}

  async afterCacheAccess(context: TokenCacheContext): Promise<void> {
    if (!context.cacheHasChanged) return
    try {
      await this.blobs.write(this.name, context.tokenCache.serialize())
    } catch (error) {
      throw storageError(`cannot save the token cache ${this.blobs.path(this.name)}: ${(error as Error).message}`, {cause: error, next: 'check that the config directory is writable and the disk is not full'})
    }
  }

  async beforeCacheAccess(context: TokenCacheContext): Promise<void> {
    // One load per process: the lock keeps other processes out while this one works.
    if (this.loaded) return
    this.loaded = true
    try {
      const data = await this.blobs.read(this.name)
      if (data) context.tokenCache.deserialize(data.toString('utf8'))
    } catch (error) {
      if (!(error instanceof UnreadableBlobError) && !(error instanceof SyntaxError)) throw error
      this.warn(`the token cache ${this.blobs.path(this.name)} is damaged and was ignored (${error.message.split('\n')[0]}); the next sign-in replaces it`)
    }
  }
}
