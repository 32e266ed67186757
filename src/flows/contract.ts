/**
 * The flow contract: the one interface every flow plugin implements.
 *
 * A flow plugin registers through the oclif hook event `entratool:flows` and returns
 * `FlowDescriptor[]`. Plugins import only *types* from here: a plugin installed later with
 * `entratool plugins install` cannot resolve the core's node_modules, so everything it needs at
 * run time (token requests, the UI, secrets, typed errors) arrives through the `FlowContext`.
 * Every type here is entratool's own: MSAL stays behind the core's facade, so an MSAL release
 * never changes what a plugin compiles against.
 *
 * Compatibility promise: `FLOW_CONTRACT_VERSION` changes only when a descriptor or context
 * member is removed or changes meaning. Additions keep the version. The core refuses (and reports
 * in `entratool flows`) a descriptor whose `contractVersion` differs.
 */

export const FLOW_CONTRACT_VERSION = 1

/** The name of the oclif hook event flow plugins register under. */
export const FLOWS_HOOK = 'entratool:flows'

/** Delegated flows sign a person in (and get refresh tokens); application flows act as the app. */
export type FlowKind = 'application' | 'delegated'

export interface FlowDescriptor {
  /** Must equal the core's FLOW_CONTRACT_VERSION (write the number, do not import it). */
  contractVersion: number
  /** kebab-case id used with `--flow`, e.g. `device-code`. */
  id: string
  /** Other accepted names, e.g. the original tool's `DeviceCode`. */
  aliases?: string[]
  kind: FlowKind
  summary: string
  /** What a profile needs for this flow, in words (shown by `entratool flows`). */
  needs: string[]
  /** Imports the flow's code; called only when this flow is chosen. */
  load(): Promise<Flow>
  /**
   * The profile settings this flow reads, declared rather than listed in the core: create-profile
   * and edit-profile take them as flags, help and shell completion list them, the profile stores
   * them, and the flow finds their values in `settings.options`. Added in contract version 1.
   */
  options?: FlowOption[]
}

/**
 * How an option's value is written and checked. `string` is one line of text; `path` a file, stored
 * absolute; `boolean` a switch with a `--no-` form; `port` 1 to 65535; `port-range` written `A-B`,
 * stored as `[A, B]`.
 */
export type FlowOptionType = 'boolean' | 'integer' | 'path' | 'port' | 'port-range' | 'string'

/** An option's value as the profile stores it and the flow receives it. */
export type FlowOptionValue = [number, number] | boolean | number | string

/** The values of the options a profile sets, by option name; an option not set is absent. */
export type FlowOptionValues = Readonly<Record<string, FlowOptionValue | undefined>>

/** One profile setting a flow declares (see `FlowDescriptor.options`). */
export interface FlowOption {
  /** The key in profiles.json and in `settings.options`, camelCase: `certificatePath`. */
  name: string
  /** The create-profile/edit-profile flag, kebab-case without dashes: `certificate`. */
  flag: string
  /** One sentence for help. */
  description: string
  type: FlowOptionType
  /** The value's placeholder in help, e.g. `<path>`; by default one for the type. */
  helpValue?: string
  /** An environment variable that, when set, wins over the profile's value when a token is got. */
  env?: string
  /**
   * Profile keys that keep `env` from applying when the profile sets them: the environment never
   * replaces a credential the profile names (a certificate, a stored secret's `secretRef`).
   */
  envUnlessProfileHas?: string[]
  /**
   * Options (by name) that cannot be set together with this one, such as a port and a port range.
   * Given on one command line, they are refused; a value from a flag or the environment hides the
   * others' stored values.
   */
  exclusive?: string[]
  /** Values shell completion offers; the option still accepts others. */
  completions?: string[]
  /**
   * The question create-profile asks on a terminal when this flow is chosen and no flag gave the
   * option, e.g. `Audience tag`; an empty answer leaves it unset. Without it, no question.
   */
  prompt?: string
}

export interface Flow {
  acquire(ctx: FlowContext): Promise<TokenResult>
}

/** What the `entratool:flows` hook receives. */
export interface FlowsHookOptions {
  contractVersion: number
}

export interface AccountInfo {
  username: string
  homeAccountId: string
}

export interface TokenResult {
  accessToken: string
  expiresOn: Date
  scopes: string[]
  tenantId: string
  /** The signed-in person for delegated flows; null for application flows. */
  account: AccountInfo | null
}

/** Everything resolved from flags > environment > profile > defaults, once, by the core. */
export interface FlowSettings {
  profile: string
  tenantId: string
  clientId: string
  /** Full authority URL, e.g. https://login.microsoftonline.com/<tenant>. */
  authority: string
  scopes: string[]
  timeoutMs: number
  /**
   * Whether the person set --timeout. A flow with a deadline of its own (a device code's expiry)
   * applies timeoutMs only when this is true.
   */
  timeoutGiven: boolean
  /** Claims challenge as a JSON string (already decoded from base64 when given so). */
  claims?: string
  showUrl: boolean
  openBrowser: boolean
  /** --login-hint, else the username of the account last signed in with this profile (a hint, never a secret). */
  loginHint?: string
  /** Interactive flow: the OpenID Connect `prompt` the person asked for. */
  prompt?: 'consent' | 'login' | 'select_account'
  /**
   * The values of the options this flow declares (FlowDescriptor.options), by name, each checked
   * against its declared type and resolved flag > environment > profile. An option not set is
   * absent; a switch not set is absent, not false.
   */
  options: FlowOptionValues
  /**
   * True for one-off use (--tenant and --client-id without a profile): no profile's stored secret
   * is read, and messages must not name a profile.
   */
  oneOff: boolean
}

/** A managed identity: the host's system-assigned one, or a user-assigned one named by one of its ids. */
export type ManagedIdentitySelector = {kind: 'system'} | {id: string; kind: 'client-id' | 'object-id' | 'resource-id'}

/** How a confidential client proves itself; secrets are read by the core, never from argv. */
export type ClientCredential =
  | {kind: 'assertion'; getAssertion: (tokenEndpoint: string) => Promise<string>}
  | {kind: 'secret'; secret: string}

/**
 * Token requests to the authority, made by the core for a flow. Every request uses the resolved
 * authority, client id, trust (ENTRATOOL_CA_FILE), proxy, `--debug` logging, the claims challenge
 * (`settings.claims`) and, for delegated flows, the profile's token cache; it returns the
 * contract's TokenResult. A refused request rejects with an error the core maps to an exit code
 * and a next step (Entra's AADSTS codes, transport and trust failures); a flow may rethrow it as
 * it is.
 */
export interface TokenOperations {
  /** An application token with the client credentials grant; never served from a cache. */
  clientCredential(credential: ClientCredential, request?: ClientCredentialRequest): Promise<TokenResult>
  /**
   * Starts an authorization code sign-in with PKCE: the address to send the browser to, and
   * `redeem(code)` for the code the redirect brings back. The PKCE verifier never leaves the core.
   */
  authorizationCode(request: AuthorizationCodeRequest): Promise<AuthorizationCodeSignIn>
  /**
   * The device authorization grant: `onCode` gets the code to show (it may throw to stop), then
   * the core polls at the server's interval until sign-in, refusal, expiry or `cancel`.
   */
  deviceCode(request: DeviceCodeRequest): Promise<TokenResult>
  /** A client for the host's managed identity endpoint (App Service, Arc, Cloud Shell, IMDS, …). */
  managedIdentity(identity: ManagedIdentitySelector): Promise<ManagedIdentityClient>
}

export interface ClientCredentialRequest {
  /** Defaults to `settings.scopes`; application tokens take one `<resource>/.default`. */
  scopes?: string[]
}

export interface AuthorizationCodeRequest {
  /** The loopback address the authority redirects to, e.g. `http://localhost:8400/`. */
  redirectUri: string
  /** The `state` the redirect must bring back; the flow checks it before calling redeem. */
  state: string
  loginHint?: string
  prompt?: 'consent' | 'login' | 'select_account'
}

export interface AuthorizationCodeSignIn {
  /** The authorize address (response_mode=query). */
  url: string
  redeem(code: string): Promise<TokenResult>
}

/** What the person must be shown to sign in on another device. */
export interface DeviceCode {
  userCode: string
  verificationUri: string
  /** Seconds until the code expires. */
  expiresIn: number
}

export interface DeviceCodeRequest {
  onCode(code: DeviceCode): void
  /** Stops the polling (Ctrl+C, a timeout of the flow's own); `onCode` is not called after it. */
  cancel?: AbortSignal
}

export interface ManagedIdentityClient {
  /** Where the endpoint was found: AppService, AzureArc, CloudShell, DefaultToImds, Imds, MachineLearning, ServiceFabric. */
  readonly source: string
  /** A token for `resource` (a URI without `/.default`); always a new request. */
  acquire(resource: string): Promise<TokenResult>
}

/** Status output on stderr. stdout belongs to the payload alone. */
export interface FlowUi {
  /** A status line ("Opening browser for authentication..."); dropped by --silent. */
  status(line: string): void
  /** "✓ …" */
  success(line: string): void
  /** "⏳ …" */
  waiting(line: string): void
  warn(line: string): void
  /** Instructions the person must see even with --silent (device code, a URL to open). */
  instruct(line: string): void
  debug(line: string): void
  /**
   * Shows the time left until `until` (epoch ms), `text(left, at)` giving the words ("the code
   * expires in 14:59", at = the local time it ends); updated in place on a terminal, a line every
   * 30 s otherwise, nothing with --silent. Returns stop(), to call before the flow says anything
   * else for good.
   */
  countdown(until: number, text: (left: string, at: string) => string): () => void
  /** A time as every human-facing line shows one: local, with its zone offset (`2026-12-02 15:30:00 +01:00`). */
  localTime(date: Date): string
}

export interface Clock {
  now(): number
  sleep(ms: number, signal?: AbortSignal): Promise<void>
}

export interface SecretReader {
  /** The profile's client secret from secure storage or the environment, if any. */
  clientSecret(): Promise<string | undefined>
  /** The password of the profile's PFX certificate, if any. */
  certificatePassword(): Promise<string | undefined>
}

/** Error kinds map one-to-one to the exit-code table (see README). */
export type ErrorKind = 'auth' | 'config' | 'interaction' | 'interrupted' | 'network' | 'storage' | 'usage'

export interface ErrorDetails {
  /** What the person should do next, e.g. a command to run. */
  next?: string
  /** Entra error code such as AADSTS7000215. */
  code?: string
  correlationId?: string
  cause?: unknown
}

/**
 * An error from the authority, or on the way to it, parsed by the core: what a flow needs to
 * recognise its own cases (a declined device code, a Conditional Access block) without knowing how
 * MSAL or Entra spell them.
 */
export interface AuthorityError {
  /** The OAuth 2.0 `error` (`invalid_grant`, `authorization_declined`, `expired_token`, …) or the failure's own code. */
  error: string
  /** Entra's code, e.g. `AADSTS53003`, when the answer carries one. */
  code?: string
  correlationId?: string
  /** The description's first line without its code prefix; '' when there is none. */
  description: string
  /** The first sentence of the description; '' when there is none. */
  sentence: string
  /**
   * `authority`: the authority (or the sign-in) refused; `network`: no usable answer (unreachable,
   * timeout, an untrusted certificate); `configuration`: the request could not be made as configured.
   */
  origin: 'authority' | 'configuration' | 'network'
}

export interface FlowErrors {
  create(kind: ErrorKind, message: string, details?: ErrorDetails): Error
  /**
   * Parses the rejection of a `tokens` operation, or an OAuth error answer the flow received
   * itself (`{error, error_description?, error_codes?, correlation_id?}`, e.g. a redirect's query).
   * Undefined for anything else (a bug, an error made with `create`).
   */
  parse(error: unknown): AuthorityError | undefined
}

export interface FlowContext {
  settings: FlowSettings
  tokens: TokenOperations
  ui: FlowUi
  clock: Clock
  /** Aborted on Ctrl+C or when the core gives up; flows must stop waiting and clean up. */
  signal: AbortSignal
  secrets: SecretReader
  errors: FlowErrors
  env: NodeJS.ProcessEnv
  /**
   * The environment for programs a flow starts (a browser, an opener): `env` without secrets
   * (client secrets, passphrases, AZURE_* credentials).
   */
  childEnv: NodeJS.ProcessEnv
  /** Runs another installed flow with the same settings (the interactive flow's headless fallback). */
  runFlow(id: string): Promise<TokenResult>
}
