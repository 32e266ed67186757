import {setTimeout as delay} from 'node:timers/promises'

import {EntraToolError} from '../errors.js'
import {scrubbedEnv} from '../lib/child-env.js'
import {MsalClients} from '../msal/factory.js'
import {MsalTokens} from '../msal/msal-tokens.js'
import type {NetworkClient} from '../msal/network-client.js'
import {parseAuthorityError} from '../msal/oauth-error.js'
import {flowSettings, type ResolvedSettings} from '../settings/resolve.js'
import {type SecretPurpose, secretKey} from '../storage/profile-names.js'
import type {Storage} from '../storage/storage.js'
import {checkTokenResult} from '../tokens/token-result.js'
import type {Clock, FlowContext, TokenResult} from './contract.js'
import {discoverFlows, type FlowCatalog, type FlowEntry, findFlow} from './registry.js'
import type {ServiceDeps} from './service-deps.js'

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) => delay(ms, undefined, {signal}),
}

/** Builds the FlowContext and runs flows: the only code that loads MSAL and flow plugins. */
export class FlowRunner {
  readonly msal: MsalClients
  readonly tokens: MsalTokens
  private catalog?: FlowCatalog

  constructor(private readonly deps: ServiceDeps & {settings: ResolvedSettings; storage: Storage}) {
    this.msal = new MsalClients(deps.settings, deps.storage, deps.ui, deps.env, deps.signal)
    this.tokens = new MsalTokens(this.msal, deps.settings)
  }

  get network(): NetworkClient {
    return this.msal.network
  }

  /** The context `entry` runs in: its declared options resolved into `settings.options`. */
  context(entry: FlowEntry): FlowContext {
    const {env, signal, storage, ui} = this.deps
    const settings = flowSettings(this.deps.settings, entry.options ?? [], env)
    // One-off use has no profile, so no stored secret: only the environment may supply one.
    const stored = (purpose: SecretPurpose) => (settings.oneOff ? undefined : storage.secrets.get(secretKey(settings.profile, purpose)))
    return {
      childEnv: scrubbedEnv(env),
      clock: systemClock,
      env,
      errors: {create: (kind, message, details) => new EntraToolError(kind, message, details), parse: parseAuthorityError},
      runFlow: async (id) => this.run(await this.find(id)),
      secrets: {
        certificatePassword: async () => env.ENTRATOOL_CERTIFICATE_PASSWORD || (await stored('certificate-password')),
        clientSecret: async () => env.ENTRATOOL_CLIENT_SECRET || env.AZURE_CLIENT_SECRET || (await stored('client-secret')),
      },
      settings,
      signal,
      tokens: this.tokens,
      ui,
    }
  }

  async find(name: string): Promise<FlowEntry> {
    this.catalog ??= await discoverFlows(this.deps.config)
    for (const problem of this.catalog.problems) this.deps.ui.debug(`flow plugin ${problem.plugin}: ${problem.problem}`)
    return findFlow(this.catalog, name)
  }

  async run(entry: FlowEntry): Promise<TokenResult> {
    this.deps.ui.debug(`running flow '${entry.id}' from ${entry.plugin}`)
    const flow = await entry.load()
    // Flows are plugins, possibly strangers': what they hand back is checked like any outside input.
    return checkTokenResult(await flow.acquire(this.context(entry)), entry.id)
  }

  /** Whether a refused silent refresh asks for a new sign-in (expired, revoked, interaction required). */
  needsSignIn(error: unknown): boolean {
    return this.tokens.needsSignIn(error)
  }

  /**
   * Refreshes a delegated token with the refresh token in MSAL's cache. Undefined when the cache
   * holds no account for this profile (the flow must run). A refused refresh removes the account,
   * so the sign-in command named in the error starts clean. `reason` is the "⟳" line: why the
   * cached token could not be used.
   */
  async silent(entry: FlowEntry, forceRefresh: boolean, reason?: string): Promise<TokenResult | undefined> {
    const {settings, ui} = this.deps
    const refreshing = () => ui.refreshing(forceRefresh ? 'Refreshing token...' : (reason ?? 'Refreshing expired token...'))
    const result = await this.tokens.silent({homeAccountId: settings.homeAccountId, username: settings.loginHint}, refreshing)
    if (!result) return undefined
    ui.success('Token refreshed')
    return checkTokenResult(result, entry.id)
  }
}
