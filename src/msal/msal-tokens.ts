import type {AuthenticationResult, ConfidentialClientApplication, DeviceCodeRequest as MsalDeviceCodeRequest, ManagedIdentityApplication, PublicClientApplication} from '@azure/msal-node'

import {EntraToolError} from '../errors.js'
import type {
  AuthorizationCodeRequest,
  AuthorizationCodeSignIn,
  ClientCredential,
  ClientCredentialRequest,
  DeviceCodeRequest,
  FlowKind,
  FlowSettings,
  ManagedIdentityClient,
  ManagedIdentitySelector,
  TokenOperations,
  TokenResult,
} from '../flows/contract.js'
import {isMsalLikeError} from './oauth-error.js'

/** Where MsalTokens gets configured MSAL applications: the core's MsalClients, or a test's. */
export interface MsalApps {
  publicClient(): Promise<PublicClientApplication>
  confidentialClient(credential: ClientCredential): Promise<ConfidentialClientApplication>
  managedIdentity(identity: ManagedIdentitySelector): Promise<ManagedIdentityApplication>
  pkceCodes(): Promise<{challenge: string; verifier: string}>
}

/** The account a silent refresh is for: the one the profile signed in with, else one with that username. */
export interface SilentAccount {
  homeAccountId?: string
  username?: string
}

const SIGN_IN_AGAIN = new Set(['interaction_required', 'invalid_grant', 'login_required', 'consent_required'])

/**
 * The flow contract's token operations on MSAL: the only code that calls MSAL's token methods and
 * turns its results into TokenResults, so no MSAL type crosses the contract (as azure identity's
 * MsalClient sits behind its credentials).
 */
export class MsalTokens implements TokenOperations {
  constructor(
    private readonly apps: MsalApps,
    private readonly settings: Pick<FlowSettings, 'claims' | 'scopes' | 'tenantId'>,
  ) {}

  async authorizationCode(request: AuthorizationCodeRequest): Promise<AuthorizationCodeSignIn> {
    const {claims, scopes} = this.settings
    const {redirectUri} = request
    const {challenge, verifier} = await this.apps.pkceCodes()
    const app = await this.apps.publicClient()
    const url = await app.getAuthCodeUrl({
      claims,
      codeChallenge: challenge,
      codeChallengeMethod: 'S256',
      loginHint: request.loginHint,
      prompt: request.prompt,
      redirectUri,
      responseMode: 'query',
      scopes,
      state: request.state,
    })
    return {
      redeem: async (code) => this.toResult(await app.acquireTokenByCode({claims, code, codeVerifier: verifier, redirectUri, scopes}), 'delegated'),
      url,
    }
  }

  async clientCredential(credential: ClientCredential, request: ClientCredentialRequest = {}): Promise<TokenResult> {
    const app = await this.apps.confidentialClient(credential)
    // The core calls a flow only when no cached token is good enough, so MSAL's cache is skipped.
    const result = await app.acquireTokenByClientCredential({claims: this.settings.claims, scopes: request.scopes ?? this.settings.scopes, skipCache: true})
    if (!result) throw new EntraToolError('auth', 'the authority returned no token')
    return this.toResult(result, 'application')
  }

  async deviceCode({cancel, onCode}: DeviceCodeRequest): Promise<TokenResult> {
    const app = await this.apps.publicClient()
    const request: MsalDeviceCodeRequest = {
      claims: this.settings.claims,
      deviceCodeCallback(response) {
        // Cancelled while the code was requested: MSAL stops before its first poll; show nothing.
        if (request.cancel) return
        onCode({expiresIn: response.expiresIn, userCode: response.userCode, verificationUri: response.verificationUri})
      },
      scopes: this.settings.scopes,
    }
    // MSAL looks at `cancel` between polls.
    const stop = () => {
      request.cancel = true
    }

    if (cancel?.aborted) stop()
    cancel?.addEventListener('abort', stop, {once: true})
    try {
      const result = await app.acquireTokenByDeviceCode(request)
      if (!result) throw new EntraToolError('auth', 'The device code sign-in returned no token.')
      return this.toResult(result, 'delegated')
    } finally {
      cancel?.removeEventListener('abort', stop)
    }
  }

  async managedIdentity(identity: ManagedIdentitySelector): Promise<ManagedIdentityClient> {
    const app = await this.apps.managedIdentity(identity)
    return {
      acquire: async (resource) => this.toResult(await app.acquireToken({claims: this.settings.claims, forceRefresh: true, resource}), 'application'),
      source: app.getManagedIdentitySource(),
    }
  }

  /** Whether a refused silent refresh asks for a new sign-in (expired, revoked, interaction required). */
  needsSignIn(error: unknown): boolean {
    return isMsalLikeError(error) && SIGN_IN_AGAIN.has(error.errorCode)
  }

  /**
   * Refreshes a delegated token with the refresh token in MSAL's cache; undefined when the cache
   * holds no such account. `refreshing` is called before the request. A refusal that asks for a
   * new sign-in removes the account, so that sign-in starts clean.
   */
  async silent(wanted: SilentAccount, refreshing: () => void): Promise<TokenResult | undefined> {
    const app = await this.apps.publicClient()
    const cache = app.getTokenCache()
    const accounts = await cache.getAllAccounts()
    const account = accounts.find((a) => a.homeAccountId === wanted.homeAccountId) ?? accounts.find((a) => a.username === wanted.username)
    if (!account) return undefined
    refreshing()
    try {
      // Always a real refresh: the core comes here only when no cached token had --min-validity left.
      const result = await app.acquireTokenSilent({account, claims: this.settings.claims, forceRefresh: true, scopes: this.settings.scopes})
      return this.toResult(result, 'delegated')
    } catch (error) {
      if (this.needsSignIn(error)) await cache.removeAccount(account)
      throw error
    }
  }

  private toResult(result: AuthenticationResult, kind: FlowKind): TokenResult {
    return {
      accessToken: result.accessToken,
      account: kind === 'delegated' && result.account ? {homeAccountId: result.account.homeAccountId, username: result.account.username} : null,
      expiresOn: result.expiresOn ?? new Date(Date.now() + 3_600_000),
      scopes: result.scopes,
      // MSAL leaves tenantId empty for app tokens: the token's own tid is the truth.
      tenantId: result.tenantId || tidClaim(result.accessToken) || this.settings.tenantId,
    }
  }
}

function tidClaim(jwt: string): string | undefined {
  try {
    const claims = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as {tid?: unknown}
    return typeof claims.tid === 'string' ? claims.tid : undefined
  } catch {
    return undefined
  }
}
