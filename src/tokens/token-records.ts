import {createHash} from 'node:crypto'

import type {AccountInfo, TokenResult} from '../flows/contract.js'
import {tokenBlob} from '../storage/profile-names.js'
import {type BlobStore, UnreadableBlobError} from '../storage/storage.js'
import {trustedExpiry} from './token-result.js'

/**
 * The last access tokens of one profile, kept beside MSAL's cache in the same protected store,
 * so a valid cached token is served without importing MSAL (~80 ms) or touching the network.
 */
export interface TokenRecord {
  key: string
  accessToken: string
  /** Epoch milliseconds. */
  expiresOn: number
  scopes: string[]
  tenantId: string
  account: AccountInfo | null
  flow: string
  /** Epoch milliseconds when it was saved (records from older versions have none). */
  obtainedAt?: number
}

interface RecordFile {
  version: 1
  records: TokenRecord[]
}

/**
 * What makes two requests ask for the same token: the authority (cloud and tenant), the app, the
 * flow (an app token must never answer a request for a user's, nor the reverse), the managed
 * identity, and the scopes.
 */
export function recordKey(parts: {authority: string; clientId: string; flow: string; managedIdentity?: string; scopes: string[]}): string {
  const scopes = [...parts.scopes].map((s) => s.toLowerCase()).sort()
  const flow = parts.flow.toLowerCase().replaceAll(/[^\da-z]/g, '')
  return createHash('sha256')
    .update(JSON.stringify([parts.authority.toLowerCase(), parts.clientId.toLowerCase(), flow, parts.managedIdentity ?? '', scopes]))
    .digest('base64url')
}

export class TokenRecords {
  private readonly name: string

  constructor(
    private readonly blobs: BlobStore,
    profile: string,
    private readonly warn?: (line: string) => void,
  ) {
    this.name = tokenBlob(profile)
  }

  async clear(): Promise<void> {
    await this.blobs.delete(this.name)
  }

  /**
   * A record valid for at least `minValidityMs` more, or undefined. Never throws on a damaged file.
   * When the authority issues tokens for less than `minValidityMs` in all, no token could ever
   * satisfy it: one with at least half its lifetime left does, instead of a new request per call.
   */
  async find(key: string, minValidityMs: number, now = Date.now()): Promise<TokenRecord | undefined> {
    const record = (await this.load()).find((r) => r.key === key)
    if (!record) return undefined
    const lifetime = record.obtainedAt === undefined ? Number.POSITIVE_INFINITY : record.expiresOn - record.obtainedAt
    const needed = lifetime <= minValidityMs ? lifetime / 2 : minValidityMs
    return record.expiresOn - now >= needed && record.expiresOn > now ? record : undefined
  }

  /** Drops the record for `key` (only if it holds `accessToken`, when given). True when one was dropped. */
  async forget(key: string, accessToken?: string): Promise<boolean> {
    const records = await this.load()
    const kept = records.filter((r) => r.key !== key || (accessToken !== undefined && r.accessToken !== accessToken))
    if (kept.length === records.length) return false
    await this.blobs.write(this.name, JSON.stringify({records: kept, version: 1} satisfies RecordFile))
    return true
  }

  /** The record for `key`, valid or not (to say why it cannot be served). */
  async get(key: string): Promise<TokenRecord | undefined> {
    return (await this.load()).find((r) => r.key === key)
  }

  /** The most recent record, valid or not (for `inspect --profile`). */
  async latest(): Promise<TokenRecord | undefined> {
    const records = await this.load()
    return records.sort((a, b) => b.expiresOn - a.expiresOn)[0]
  }

  async save(key: string, token: TokenResult, flow: string): Promise<void> {
    const now = Date.now()
    const records = (await this.load()).filter((r) => r.key !== key && r.expiresOn > now)
    records.push({account: token.account, accessToken: token.accessToken, expiresOn: token.expiresOn.getTime(), flow, key, obtainedAt: now, scopes: token.scopes, tenantId: token.tenantId})
    const file: RecordFile = {records: records.slice(-20), version: 1}
    await this.blobs.write(this.name, JSON.stringify(file))
  }

  private async load(): Promise<TokenRecord[]> {
    try {
      const data = await this.blobs.read(this.name)
      if (!data) return []
      const file = JSON.parse(data.toString('utf8')) as RecordFile
      if (file?.version !== 1 || !Array.isArray(file.records)) return []
      // The expiry trusted is the token's own exp when earlier (a clock that jumped), and sane.
      return file.records
        .filter((r) => typeof r?.accessToken === 'string' && typeof r.key === 'string' && typeof r.expiresOn === 'number')
        .map((r) => ({...r, expiresOn: trustedExpiry(r.accessToken, r.expiresOn, r.obtainedAt ?? Date.now())}))
    } catch (error) {
      if (!(error instanceof UnreadableBlobError || error instanceof SyntaxError)) throw error
      // A miss, never a failure: the next token replaces the file.
      this.warn?.(`the cached tokens in ${this.blobs.path(this.name)} are damaged and were ignored (${error.message.split('\n')[0]}); the next token replaces them`)
      return []
    }
  }
}

/** The Ui.warnOnce topic shared by a profile's token records and its MSAL cache file: one warning when both are damaged. */
export function damagedCacheTopic(profile: string): string {
  return `damaged-cache:${profile}`
}
