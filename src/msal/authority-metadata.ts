import type {BlobStore} from '../storage/storage.js'

const BLOB = 'authority-metadata'
const MAX_AGE_MS = 24 * 3600 * 1000

interface Saved {
  savedAt: number
  body: unknown
}

/**
 * The authority's OpenID configuration, kept for a day. MSAL fetches it before every first
 * request of a process (unless it is one of the few clouds MSAL knows by heart); handing it
 * back as `authorityMetadata` saves a round trip on every cold or refresh call.
 */
export class AuthorityMetadata {
  private pending: Promise<void> = Promise.resolve()
  private readonly url: string

  constructor(
    private readonly blobs: BlobStore,
    private readonly authority: string,
  ) {
    this.url = `${authority}/v2.0/.well-known/openid-configuration`
  }

  async recall(now = Date.now()): Promise<string | undefined> {
    try {
      const saved = (JSON.parse((await this.blobs.read(BLOB))?.toString('utf8') ?? '{}') as Record<string, Saved>)[this.authority]
      return saved && now - saved.savedAt < MAX_AGE_MS ? JSON.stringify(saved.body) : undefined
    } catch {
      return undefined
    }
  }

  /** Called for every successful GET; keeps only this authority's metadata. */
  remember(url: string, body: unknown): void {
    if (url !== this.url) return
    this.pending = this.pending.then(() => this.save(body)).catch(() => {})
  }

  /** Resolves when what `remember` started is on disk. */
  saved(): Promise<void> {
    return this.pending
  }

  private async save(body: unknown): Promise<void> {
    let all: Record<string, Saved> = {}
    try {
      all = JSON.parse((await this.blobs.read(BLOB))?.toString('utf8') ?? '{}')
    } catch {
      // A damaged file is replaced: it only ever saves a round trip.
    }

    all[this.authority] = {body, savedAt: Date.now()}
    await this.blobs.write(BLOB, JSON.stringify(all))
  }
}
