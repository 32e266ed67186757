/** A token as the identity server hands it out. */
export interface ServedToken {
  accessToken: string
  expiresOn: Date
}

export type TokenOrigin = 'memory' | 'cache' | 'new'

export interface Remembered {
  token: ServedToken
  origin: TokenOrigin
}

interface Entry {
  token: ServedToken
  obtainedAt: number
}

/**
 * Tokens kept in memory per profile + resource, and one request in flight per key: a hundred
 * clients asking at once cause one token request to Entra ID, and a token in memory is answered
 * without touching the disk.
 */
export class TokenMemory {
  private readonly entries = new Map<string, Entry>()
  private readonly inFlight = new Map<string, Promise<Remembered>>()

  constructor(
    private readonly minValidityMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * The remembered token while it has --min-validity left, else `fetch` (shared by every caller
   * of the same key until it settles). A token whose whole lifetime is shorter than twice
   * --min-validity counts as fresh for its first half, so short-lived tokens are still reused.
   */
  async get(key: string, fetch: () => Promise<{token: ServedToken; fromCache: boolean}>): Promise<Remembered> {
    const entry = this.entries.get(key)
    if (entry && this.fresh(entry)) return {origin: 'memory', token: entry.token}
    const pending = this.inFlight.get(key)
    if (pending) return pending
    const request = (async (): Promise<Remembered> => {
      try {
        const {fromCache, token} = await fetch()
        this.entries.set(key, {obtainedAt: this.now(), token})
        return {origin: fromCache ? 'cache' : 'new', token}
      } finally {
        this.inFlight.delete(key)
      }
    })()
    this.inFlight.set(key, request)
    return request
  }

  private fresh(entry: Entry): boolean {
    const left = entry.token.expiresOn.getTime() - this.now()
    const lifetime = entry.token.expiresOn.getTime() - entry.obtainedAt
    return left > Math.min(this.minValidityMs, lifetime / 2)
  }
}
