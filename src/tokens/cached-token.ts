import {localTime} from '../lib/time.js'
import type {ResolvedSettings} from '../settings/resolve.js'
import type {Storage} from '../storage/storage.js'
import type {Ui} from '../ui/ui.js'
import {scopeResource} from './render-token.js'
import {recordKey, TokenRecords} from './token-records.js'
import type {TokenOutcome} from './token-types.js'

/**
 * The cache-first step shared by the token service and the start-up fast path: a recorded token
 * for these settings with at least --min-validity left, or undefined. No MSAL, no network.
 */
export async function findCachedToken(settings: ResolvedSettings, storage: Storage, warn?: (line: string) => void): Promise<TokenOutcome | undefined> {
  if (settings.claims || settings.oneOff) return undefined
  const cached = await new TokenRecords(storage.blobs, settings.profile, warn).find(recordKey(settings), settings.minValidityMs)
  if (!cached) return undefined
  return {flow: cached.flow, fromCache: true, profile: settings.profile, token: {...cached, expiresOn: new Date(cached.expiresOn)}}
}

/** When no scope was named, the status says which resource the token is for. */
export function scopeNote(settings: ResolvedSettings): string | undefined {
  if (!settings.scopesDefaulted) return undefined
  const resource = settings.scopes.map((s) => scopeResource(s)).join(', ')
  const graph = resource === 'https://graph.microsoft.com' ? ' (Microsoft Graph)' : ''
  return `No scope set: the token is for ${resource}${graph}; --scope, or edit-profile --scope, names another`
}

/**
 * Why the cached token could not be used, for the "⟳" line before a refresh: it expired, it has
 * less than --min-validity left, or nothing was ever cached for these scopes.
 */
export async function refreshReason(settings: ResolvedSettings, storage: Storage, now = Date.now()): Promise<string> {
  if (settings.claims) return 'Claims challenge: getting a token that satisfies it'
  const record = await new TokenRecords(storage.blobs, settings.profile).get(recordKey(settings))
  if (!record) return `New scope: getting a token for ${settings.scopes.join(' ')}`
  const left = record.expiresOn - now
  if (left <= 0) return 'Refreshing expired token...'
  return `Refreshing token: ${brief(left)} left, --min-validity is ${brief(settings.minValidityMs)}`
}

/** "3m", "59m 58s", "2h", "1h 5m": at most two units, zeros left out. */
function brief(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000))
  const parts: [number, string][] = [[Math.floor(total / 3600), 'h'], [Math.floor((total % 3600) / 60), 'm'], [total % 60, 's']]
  const first = parts.findIndex(([n]) => n > 0)
  if (first === -1) return '0s'
  return parts
    .slice(first, first + 2)
    .filter(([n]) => n > 0)
    .map(([n, unit]) => `${n}${unit}`)
    .join(' ')
}

/** The seed page's lines for a token served from the cache. */
export function announceCached(ui: Ui, outcome: TokenOutcome): void {
  ui.success('Using cached token')
  ui.status(`Token expires: ${localTime(outcome.token.expiresOn)}`)
}
