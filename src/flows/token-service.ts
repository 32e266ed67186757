import {configError, EntraToolError} from '../errors.js'
import {localTime} from '../lib/time.js'
import type {Profile} from '../profiles/profile.js'
import {ProfileStore} from '../profiles/store.js'
import {profileName, type ResolvedSettings, resolveSettings} from '../settings/resolve.js'
import {acquireLock, withLock} from '../storage/lock.js'
import {openStorage} from '../storage/open-storage.js'
import {tokenLock} from '../storage/profile-names.js'
import {stateDirs, userPluginsInstalled} from '../storage/state-dirs.js'
import type {Storage} from '../storage/storage.js'
import {announceCached, findCachedToken, refreshReason, scopeNote} from '../tokens/cached-token.js'
import {damagedCacheTopic, recordKey, TokenRecords} from '../tokens/token-records.js'
import type {TokenOutcome, TokenRequest} from '../tokens/token-types.js'
import type {Ui} from '../ui/ui.js'
import {builtInHooks} from './built-in-hooks.js'
import type {TokenResult} from './contract.js'
import type {FlowRunner} from './flow-runner.js'
import type {FlowEntry} from './registry.js'
import type {ServiceDeps} from './service-deps.js'

export type {ServiceDeps} from './service-deps.js'
export type {TokenOutcome, TokenRequest} from '../tokens/token-types.js'

/** A token served by the pre-oclif mode, and the status lines the full path would show for it. */
export interface CachedAnswer {
  outcome: TokenOutcome
  report(ui: Ui): void
}

/** Turns a request into a token: the fast record first, then MSAL's silent refresh, then the flow. */
export class TokenService {
  constructor(private readonly deps: ServiceDeps) {}

  async getToken(request: TokenRequest): Promise<TokenOutcome> {
    const {ui} = this.deps
    const {dir, name, profile, profiles, settings} = await resolveRequest(request, this.deps.env, this.dir())
    const storage = await openStorage(this.deps.config, this.deps.env, dir)
    for (const warning of storage.warnings) ui.warn(warning)
    const note = scopeNote(settings)
    if (note) ui.status(note)
    const signInAsked = signInShaped(request, profile)
    const reuse = !request.force && !request.refresh && !signInAsked
    // One warning per run for a profile's damaged cache, however often and in however many files it is met.
    const warn = (line: string) => ui.warnOnce(damagedCacheTopic(name), line)
    const cached = reuse ? await findCachedToken(settings, storage, warn) : undefined
    if (cached) {
      announceCached(ui, cached)
      return cached
    }

    const lockTarget = tokenLock(dir, name)
    const locked = <T>(work: () => Promise<T>): Promise<T> => (settings.oneOff ? work() : withLock(lockTarget, work))
    const save = async (token: TokenResult, flow: string): Promise<TokenOutcome> => {
      ui.status(`Token expires: ${localTime(token.expiresOn)}`)
      if (!settings.oneOff) {
        await new TokenRecords(storage.blobs, name, warn).save(recordKey(settings), token, flow)
        const recorded = profile?.account
        if (token.account && token.account.homeAccountId !== recorded?.homeAccountId) {
          // Someone else's sign-in delivered to this profile's port would show here (issue 18.3).
          if (recorded && token.account.username.toLowerCase() !== request.loginHint?.toLowerCase()) {
            ui.warn(`signed in as ${token.account.username}, but profile '${name}' was last used with ${recorded.username}; it now uses ${token.account.username}`)
          }

          await profiles.update(name, (p) => ({...p, account: token.account!, updatedAt: new Date().toISOString()}))
        }

        ui.status(`Token saved to profile '${name}'`)
      }

      return {flow, fromCache: false, profile: name, token}
    }

    const {mapError} = await import('../msal/error-mapper.js')
    const {FlowRunner} = await import('./flow-runner.js')
    const runner = new FlowRunner({...this.deps, settings, storage})
    try {
      // One lock per profile around the slow path: ten concurrent scripts cause one refresh, not ten.
      const step = await locked(async (): Promise<{entry: FlowEntry} | {outcome: TokenOutcome}> => {
        // Another process may have fetched the token while this one waited for the lock.
        const fresh = reuse ? await findCachedToken(settings, storage, warn) : undefined
        if (fresh) {
          announceCached(ui, fresh)
          return {outcome: fresh}
        }

        const next = await this.silentOrFlow(settings, storage, {...request, force: request.force || signInAsked}, runner)
        if ('token' in next) return {outcome: await save(next.token, next.flow)}
        if (next.entry.kind !== 'delegated') return {outcome: await save(await runner.run(next.entry), next.entry.id)}
        return {entry: next.entry}
      })
      if ('outcome' in step) return step.outcome

      // A person signs in now, which can take minutes: the profile lock is not held meanwhile, so
      // other calls for this profile (a refresh, kubectl) go on; MSAL's cache file is locked for
      // each access instead, and the result is saved under the lock (issue 18.14).
      if (!settings.oneOff) runner.msal.lockCacheAccess(() => acquireLock(lockTarget))
      const token = await runner.run(step.entry)
      return await locked(() => save(token, step.entry.id))
    } catch (error) {
      const mapped = mapError(error, {flow: settings.flow, network: runner.network, profile: settings.profile})
      if (this.deps.signal.aborted && !(mapped instanceof EntraToolError && mapped.kind === 'usage')) {
        throw new EntraToolError('interrupted', 'Interrupted.', {cause: error})
      }

      throw mapped
    } finally {
      await runner.msal.settle()
    }
  }

  /**
   * Drops the recorded access token for a request (a server refused it), so the next getToken
   * makes a new token request. With `accessToken`, only when the record still holds that token: a
   * newer one another process saved meanwhile is kept. True when a record was dropped.
   */
  async forget(request: TokenRequest, accessToken?: string): Promise<boolean> {
    const {dir, name, settings} = await resolveRequest(request, this.deps.env, this.dir())
    if (settings.oneOff) return false
    const storage = await openStorage(this.deps.config, this.deps.env, dir)
    return withLock(tokenLock(dir, name), () => new TokenRecords(storage.blobs, name).forget(recordKey(settings), accessToken))
  }

  /**
   * The pre-oclif mode (bin/run.js's get-token, the git helper, the az/azd shims): the same
   * resolution and the same cache step as getToken, with the core's own storage backend, and
   * nothing printed. Undefined whenever the full service could do or say more: no cached token,
   * a storage warning or a damaged cache file to report, --debug, a Windows default directory, or
   * user-installed plugins (only oclif knows them). `profiles` is a store already read, if any.
   */
  static async cachedOnly(request: TokenRequest, env: NodeJS.ProcessEnv, profiles?: ProfileStore): Promise<CachedAnswer | undefined> {
    const dirs = stateDirs(env)
    if (!dirs || env.ENTRATOOL_DEBUG || userPluginsInstalled(dirs)) return undefined
    const {profile, settings} = await resolveRequest(request, env, dirs.config, profiles)
    if (request.force || request.refresh || signInShaped(request, profile)) return undefined
    const storage = await openStorage(builtInHooks(dirs), env, dirs.config)
    if (storage.warnings.length > 0) return undefined
    let damaged = false
    const outcome = await findCachedToken(settings, storage, () => (damaged = true))
    // A damaged token file is warned about by the full path, once.
    if (!outcome || damaged) return undefined
    return {
      outcome,
      report(ui) {
        const note = scopeNote(settings)
        if (note) ui.status(note)
        announceCached(ui, outcome)
      },
    }
  }

  private dir(): string {
    return stateDirs(this.deps.env, this.deps.config)!.config
  }

  /**
   * A refreshed token when the profile has a signed-in account, else the flow to run. A refused
   * refresh (expired, revoked, a claims challenge the refresh token cannot meet) signs in again
   * in the same call when a person is at the terminal; otherwise it fails as before.
   */
  private async silentOrFlow(settings: ResolvedSettings, storage: Storage, request: TokenRequest, runner: FlowRunner): Promise<{entry: FlowEntry} | {flow: string; token: TokenResult}> {
    const entry = await runner.find(settings.flow)
    const delegated = entry.kind === 'delegated'
    if (delegated && !request.force && settings.loginHint) {
      try {
        const silent = await runner.silent(entry, Boolean(request.refresh), request.refresh ? undefined : await refreshReason(settings, storage))
        if (silent) return {flow: entry.id, token: silent}
      } catch (error) {
        if (!runner.needsSignIn(error) || request.refresh) throw error
        const {mapError} = await import('../msal/error-mapper.js')
        const reason = mapError(error, {flow: entry.id, network: runner.network, profile: settings.profile})
        const why = reason instanceof EntraToolError ? `${reason.message}${reason.code ? ` (${reason.code})` : ''}` : String(error)
        if (!request.canPrompt || request.nonInteractive) {
          if (settings.claims) {
            throw new EntraToolError('interaction', `the resource asks for a new sign-in (claims challenge) and no one can sign in here: ${why}`, {
              cause: error,
              code: reason instanceof EntraToolError ? reason.code : undefined,
              next: `sign in in a terminal: \`entratool get-token --profile ${settings.profile} --flow ${entry.id} --www-authenticate '<header>'\``,
            })
          }

          throw error
        }

        this.deps.ui.status(`Signing in again: ${why}`)
        return {entry}
      }
    }

    // `refresh` never starts a sign-in: with nothing to refresh it says so.
    if (request.refresh && delegated) {
      throw configError(`profile '${settings.profile}' has no signed-in account to refresh`, {next: `sign in first: \`entratool get-token --profile ${settings.profile} --flow ${entry.id}\``})
    }

    if (delegated && request.nonInteractive) {
      throw new EntraToolError('interaction', `profile '${settings.profile}' needs a sign-in, and the caller allows no interaction (${request.nonInteractive})`, {
        next: `sign in once in a terminal: \`entratool get-token --profile ${settings.profile} --flow ${entry.id}\`, then try again`,
      })
    }

    return {entry}
  }
}

/**
 * The profile (profiles.json read once per call, or taken from `store` when already read) and the
 * settings of a request: the first step of every mode of the service.
 */
async function resolveRequest(request: TokenRequest, env: NodeJS.ProcessEnv, dir: string, store?: ProfileStore) {
  const profiles = store ?? new ProfileStore(dir)
  const file = profiles.read()
  const name = profileName(request.profile, env, file.defaultProfile)
  // --tenant with --client-id and no named profile is one-off use: the default profile's
  // credentials (secret, certificate) must not leak into a request for another app.
  const oneOff = Boolean(request.tenant && request.clientId && !request.profile && !env.ENTRATOOL_PROFILE)
  const profile = !oneOff && Object.hasOwn(file.profiles, name) ? file.profiles[name] : undefined
  // Neither a profile nor one-off identity: the store's "does not exist" error (exit 3) says what to do.
  if (!profile && !(request.tenant && request.clientId)) await profiles.get(name)
  const flags = request.scopeFor ? {...request, scope: request.scopeFor(profile)} : request
  return {dir, name, profile, profiles, settings: resolveSettings(name, flags, env, profile)}
}

/** A sign-in the person asked to shape (--prompt, another account's --login-hint) skips the caches. */
function signInShaped(request: TokenRequest, profile: Profile | undefined): boolean {
  const otherAccount = request.loginHint !== undefined && request.loginHint.toLowerCase() !== profile?.account?.username.toLowerCase()
  return Boolean(request.prompt) || otherAccount
}
