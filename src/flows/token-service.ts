import type {Interfaces} from '@oclif/core'
import {join} from 'node:path'

import {configError, EntraToolError} from '../errors.js'
import {withLock} from '../lib/lock.js'
import type {Ui} from '../lib/ui.js'
import {ProfileStore} from '../profiles/store.js'
import {profileName, resolveSettings, type ResolvedSettings, type SettingFlags} from '../settings/resolve.js'
import {configDir, openStorage} from '../storage/open-storage.js'
import type {Storage} from '../storage/storage.js'
import {announceCached, findCachedToken, refreshReason, scopeNote} from '../tokens/cached-token.js'
import {localTime} from '../lib/time.js'
import {recordKey, TokenRecords} from '../tokens/token-records.js'
import type {TokenResult} from './contract.js'

export interface TokenRequest extends SettingFlags {
  profile?: string
  /** Skip every cache and run the flow (a new sign-in for delegated flows). */
  force?: boolean
  /** Use the refresh token (delegated) or a new request (application) even if a token is cached. */
  refresh?: boolean
  /**
   * Why no one can answer a prompt or a browser (kubectl's spec.interactive false, an az/azd-shaped
   * answer): a needed sign-in fails fast, naming this reason.
   */
  nonInteractive?: string
}

export interface TokenOutcome {
  token: TokenResult
  fromCache: boolean
  profile: string
  flow: string
}

export interface ServiceDeps {
  config: Interfaces.Config
  env: NodeJS.ProcessEnv
  ui: Ui
  signal: AbortSignal
}

/** Turns a request into a token: the fast record first, then MSAL's silent refresh, then the flow. */
export class TokenService {
  constructor(private readonly deps: ServiceDeps) {}

  async getToken(request: TokenRequest): Promise<TokenOutcome> {
    const {ui} = this.deps
    const {dir, name, profile, profiles, settings} = await this.resolve(request)
    const storage = await openStorage(this.deps.config, this.deps.env)
    for (const warning of storage.warnings) ui.warn(warning)
    const note = scopeNote(settings)
    if (note) ui.status(note)
    const reuse = !request.force && !request.refresh
    const cached = reuse ? await findCachedToken(settings, storage) : undefined
    if (cached) {
      announceCached(ui, cached)
      return cached
    }

    const work = async (): Promise<TokenOutcome> => {
      // Another process may have fetched the token while this one waited for the lock.
      const fresh = reuse ? await findCachedToken(settings, storage) : undefined
      if (fresh) {
        announceCached(ui, fresh)
        return fresh
      }

      const {token, flow} = await this.acquire(settings, storage, request)
      ui.status(`Token expires: ${localTime(token.expiresOn)}`)
      if (!settings.oneOff) {
        await new TokenRecords(storage.blobs, name).save(recordKey(settings), token, flow)
        if (token.account && token.account.homeAccountId !== profile?.account?.homeAccountId) {
          await profiles.update(name, (p) => ({...p, account: token.account!, updatedAt: new Date().toISOString()}))
        }

        ui.status(`Token saved to profile '${name}'`)
      }

      return {flow, fromCache: false, profile: name, token}
    }

    // One lock per profile around the slow path: ten concurrent scripts cause one refresh, not ten.
    return settings.oneOff ? work() : withLock(join(dir, 'cache', name), work)
  }

  /**
   * Drops the recorded access token for a request (a server refused it), so the next getToken
   * makes a new token request. With `accessToken`, only when the record still holds that token: a
   * newer one another process saved meanwhile is kept. True when a record was dropped.
   */
  async forget(request: TokenRequest, accessToken?: string): Promise<boolean> {
    const {dir, name, settings} = await this.resolve(request)
    if (settings.oneOff) return false
    const storage = await openStorage(this.deps.config, this.deps.env)
    return withLock(join(dir, 'cache', name), () => new TokenRecords(storage.blobs, name).forget(recordKey(settings), accessToken))
  }

  private async resolve(request: TokenRequest) {
    const {env} = this.deps
    const dir = configDir(this.deps.config, env)
    const profiles = new ProfileStore(dir)
    const file = profiles.read()
    const name = profileName(request.profile, env, file.defaultProfile)
    // --tenant with --client-id and no named profile is one-off use: the default profile's
    // credentials (secret, certificate) must not leak into a request for another app.
    const oneOff = Boolean(request.tenant && request.clientId && !request.profile && !env.ENTRATOOL_PROFILE)
    const profile = !oneOff && Object.hasOwn(file.profiles, name) ? file.profiles[name] : undefined
    // Neither a profile nor one-off identity: the store's "does not exist" error (exit 3) says what to do.
    if (!profile && !(request.tenant && request.clientId)) await profiles.get(name)
    return {dir, name, profile, profiles, settings: resolveSettings(name, request, env, profile)}
  }

  private async acquire(settings: ResolvedSettings, storage: Storage, request: TokenRequest): Promise<{flow: string; token: TokenResult}> {
    const {mapError} = await import('../msal/error-mapper.js')
    const {FlowRunner} = await import('./flow-runner.js')
    const runner = new FlowRunner({...this.deps, settings, storage})
    const flowName = settings.flow
    try {
      const entry = await runner.find(flowName)
      const refreshable = entry.kind === 'delegated' && !request.force && settings.loginHint
      const silent = refreshable ? await runner.silent(entry, Boolean(request.refresh), request.refresh ? undefined : await refreshReason(settings, storage)) : undefined
      if (silent) return {flow: entry.id, token: silent}
      // `refresh` never starts a sign-in: with nothing to refresh it says so.
      if (request.refresh && entry.kind === 'delegated') {
        throw configError(`profile '${settings.profile}' has no signed-in account to refresh`, {next: `sign in first: \`entratool get-token --profile ${settings.profile} --flow ${entry.id}\``})
      }

      if (entry.kind === 'delegated' && request.nonInteractive) {
        throw new EntraToolError('interaction', `profile '${settings.profile}' needs a sign-in, and the caller allows no interaction (${request.nonInteractive})`, {
          next: `sign in once in a terminal: \`entratool get-token --profile ${settings.profile} --flow ${entry.id}\`, then try again`,
        })
      }

      return {flow: entry.id, token: await runner.run(entry)}
    } catch (error) {
      const mapped = mapError(error, {flow: flowName, network: runner.network, profile: settings.profile})
      if (this.deps.signal.aborted && !(mapped instanceof EntraToolError && mapped.kind === 'usage')) {
        throw new EntraToolError('interrupted', 'Interrupted.', {cause: error})
      }

      throw mapped
    } finally {
      await runner.msal.settle()
    }
  }
}
