import type {TokenOutcome} from '../flows/token-service.js'
import {localTime} from '../lib/time.js'
import type {Ui} from '../lib/ui.js'
import type {ResolvedSettings} from '../settings/resolve.js'
import type {Storage} from '../storage/storage.js'
import {recordKey, TokenRecords} from './token-records.js'

/**
 * The cache-first step shared by the token service and the start-up fast path: a recorded token
 * for these settings with at least --min-validity left, or undefined. No MSAL, no network.
 */
export async function findCachedToken(settings: ResolvedSettings, storage: Storage): Promise<TokenOutcome | undefined> {
  if (settings.claims || settings.oneOff) return undefined
  const cached = await new TokenRecords(storage.blobs, settings.profile).find(recordKey(settings), settings.minValidityMs)
  if (!cached) return undefined
  return {flow: cached.flow, fromCache: true, profile: settings.profile, token: {...cached, expiresOn: new Date(cached.expiresOn)}}
}

/** The seed page's lines for a token served from the cache. */
export function announceCached(ui: Ui, outcome: TokenOutcome): void {
  ui.success('Using cached token')
  ui.status(`Token expires: ${localTime(outcome.token.expiresOn)}`)
}
