export interface EmulatorOptions {
  /** 0 (the default) picks a free port. */
  port?: number
}

export interface FederatedCredential {
  issuer: string
  subject: string
  /** Defaults to api://AzureADTokenExchange, as in Entra. */
  audience?: string
}

export interface AppRegistrationInput {
  clientId: string
  displayName?: string
  publicClient?: boolean
  secrets?: string[]
  /** PEM certificates whose keys may sign client assertions. */
  certificates?: string[]
  federatedCredentials?: FederatedCredential[]
  /** Application permissions put in the `roles` claim of app-only tokens. */
  roles?: string[]
  /** Exact redirect URIs; without them any loopback redirect (RFC 8252) is allowed. */
  redirectUris?: string[]
}

export type DeviceCodeMode = 'manual' | 'approve' | 'deny' | 'expire'

export interface DeviceCodeBehavior {
  mode: DeviceCodeMode
  /** Polls answered authorization_pending before the outcome of approve/deny/expire. */
  afterPolls?: number
  slowDownOnce?: boolean
  interval?: number
  expiresIn?: number
}

export type FaultEndpoint = 'token' | 'devicecode' | 'authorize' | 'openid-configuration' | 'keys' | '*'
export type FaultKind = 500 | 503 | 429 | 'slow' | 'drop' | 'malformed' | 'error' | 'body'

export interface FaultSpec {
  endpoint: FaultEndpoint
  kind: FaultKind
  count?: number
  retryAfter?: number
  delayMs?: number
  /**
   * kind `error`: answer as Entra would with this OAuth error (e.g. `invalid_grant`), AADSTS code
   * and sentence, HTTP `status` (default 400): a Conditional Access block while a device code is
   * polled, a tenant that is not found on the metadata request.
   */
  error?: string
  code?: number
  description?: string
  /** kind `body`: the exact text answered (a hostile IdP's 200 with `{}`, `[]`, …); `status` defaults to 200. */
  body?: string
  status?: number
}

export type EndpointName =
  | 'openid-configuration'
  | 'instance-discovery'
  | 'keys'
  | 'authorize'
  | 'token'
  | 'devicecode'
  | 'devicelogin'
  | 'logout'
  | 'oidc-issuer'
  | 'error-page'
  | 'managed-identity'
  | 'not-found'

export interface RequestLogEntry {
  time: string
  method: string
  /** Path only: query strings can carry codes. */
  path: string
  endpoint: EndpointName
  grantType?: string
  clientId?: string
  tenant?: string
  /** The `claims` parameter (JSON, client capabilities and claims challenges; never a secret). */
  claims?: string
  /** 0 while unanswered or when the connection was dropped. */
  status: number
  /** Which TLS connection it came on: 1, 2, … in the order they were made since the start. */
  connection?: number
}

export interface MintFederatedTokenOptions {
  subject: string
  audience?: string
  lifetimeSeconds?: number
}

export interface EmulatorControl {
  registerApp(app: AppRegistrationInput): void
  setTokenLifetime(seconds: number): void
  setRefreshTokenLifetime(seconds: number): void
  expireRefreshTokens(): void
  setDeviceCodeBehavior(behavior: DeviceCodeBehavior): void
  injectFault(fault: FaultSpec): void
  clearFaults(): void
  requests(): RequestLogEntry[]
  /** Every code, verifier, token, secret and assertion the token and device-code endpoints saw. */
  secretsSeen(): string[]
  clearRequests(): void
  reset(): void
  mintFederatedToken(options: MintFederatedTokenOptions): string
  /** Seconds added to every answer's `Date` header (negative: behind); 0 restores the real time. */
  setClockSkew(seconds: number): void
}

export interface Emulator {
  url: string
  port: number
  host: string
  caPem: string
  caFile: string
  tenantId: string
  authority(tenant?: string): string
  control: EmulatorControl
  stop(): Promise<void>
}
