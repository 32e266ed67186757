/**
 * The flow contract: the one interface every flow plugin implements.
 *
 * A flow plugin registers through the oclif hook event `entratool:flows` and returns
 * `FlowDescriptor[]`. Plugins import only *types* from here: a plugin installed later with
 * `entratool plugins install` cannot resolve the core's node_modules, so everything it needs at
 * run time (MSAL, the UI, storage, typed errors) arrives through the `FlowContext`.
 *
 * Compatibility promise: `FLOW_CONTRACT_VERSION` changes only when a descriptor or context
 * member is removed or changes meaning. Additions keep the version. The core refuses (and reports
 * in `entratool flows`) a descriptor whose `contractVersion` differs.
 */
import type {ConfidentialClientApplication, CryptoProvider, ManagedIdentityApplication, PublicClientApplication} from '@azure/msal-node'

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
  /** Interactive flow: a fixed port, or a range to pick the first free port from. */
  port?: number
  portRange?: [number, number]
  timeoutMs: number
  /**
   * Whether the person set --timeout. A flow with a deadline of its own (a device code's expiry)
   * applies timeoutMs only when this is true; undefined (an older core) means true.
   */
  timeoutGiven?: boolean
  /** Claims challenge as a JSON string (already decoded from base64 when given so). */
  claims?: string
  showUrl: boolean
  openBrowser: boolean
  /** --login-hint, else the username of the account last signed in with this profile (a hint, never a secret). */
  loginHint?: string
  /** Interactive flow: the OpenID Connect `prompt` the person asked for. Added in contract version 1. */
  prompt?: 'consent' | 'login' | 'select_account'
  /**
   * Interactive flow: no loopback listener; the person pastes the address the browser ended on
   * (SSH, tunnels, serial consoles). Added in contract version 1.
   */
  pasteRedirect?: boolean
  certificatePath?: string
  privateKeyPath?: string
  federatedTokenFile?: string
  sendX5c: boolean
  /**
   * Which managed identity the managed-identity flow uses, as the person wrote it (profile
   * `--managed-identity` or ENTRATOOL_MANAGED_IDENTITY): `system`, a user-assigned identity's
   * client id, `object-id:<guid>`, or an Azure resource id (`/subscriptions/…`). Unset: the
   * profile's client id names a user-assigned identity. Added in contract version 1.
   */
  managedIdentity?: string
  /**
   * True for one-off use (--tenant and --client-id without a profile): no profile's stored secret
   * is read, and messages must not name a profile. Added in contract version 1.
   */
  oneOff?: boolean
}

/** A managed identity as MSAL selects it: the host's system-assigned one, or a user-assigned one. */
export type ManagedIdentitySelector = {kind: 'system'} | {id: string; kind: 'client-id' | 'object-id' | 'resource-id'}

/** How a confidential client proves itself; secrets are read by the core, never from argv. */
export type ClientCredential =
  | {kind: 'assertion'; getAssertion: (tokenEndpoint: string) => Promise<string>}
  | {kind: 'secret'; secret: string}

export interface MsalFactory {
  /** A public client for the resolved authority, trust, proxy and the profile's token cache. */
  publicClient(): Promise<PublicClientApplication>
  confidentialClient(credential: ClientCredential): Promise<ConfidentialClientApplication>
  /**
   * MSAL's ManagedIdentityApplication with the core's network client (CA file, timeouts). Optional:
   * added within contract version 1, so a flow must check for it and name the core release it needs.
   */
  managedIdentity?(identity: ManagedIdentitySelector): Promise<ManagedIdentityApplication>
  /** MSAL's CryptoProvider, for PKCE codes and random state. */
  crypto(): Promise<CryptoProvider>
  /** Turns an MSAL AuthenticationResult into the contract's TokenResult. */
  toResult(result: MsalAuthenticationResult, kind: FlowKind): TokenResult
}

/** The fields of MSAL's AuthenticationResult the core reads. */
export interface MsalAuthenticationResult {
  accessToken: string
  expiresOn: Date | null
  scopes: string[]
  tenantId: string
  account: null | {homeAccountId: string; username: string}
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
   * else for good. Optional: added within contract version 1, so a flow checks for it.
   */
  countdown?(until: number, text: (left: string, at: string) => string): () => void
  /**
   * A time as every human-facing line shows one: local, with its zone offset
   * (`2026-12-02 15:30:00 +01:00`). Optional, added within contract version 1.
   */
  localTime?(date: Date): string
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

export interface FlowErrors {
  create(kind: ErrorKind, message: string, details?: ErrorDetails): Error
}

export interface FlowContext {
  settings: FlowSettings
  msal: MsalFactory
  ui: FlowUi
  clock: Clock
  /** Aborted on Ctrl+C or when the core gives up; flows must stop waiting and clean up. */
  signal: AbortSignal
  secrets: SecretReader
  errors: FlowErrors
  env: NodeJS.ProcessEnv
  /**
   * The environment for programs a flow starts (a browser, an opener): `env` without secrets
   * (client secrets, passphrases, AZURE_* credentials). Added in contract version 1; a flow falls
   * back to `env` on an older core.
   */
  childEnv?: NodeJS.ProcessEnv
  /** Runs another installed flow with the same settings (the interactive flow's headless fallback). */
  runFlow(id: string): Promise<TokenResult>
}
