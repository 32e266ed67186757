import {configError, usageError} from '../errors.js'
import type {FlowOption, FlowOptionValue, FlowSettings} from '../flows/contract.js'
import type {Profile} from '../profiles/profile.js'
import {authorityUrl, checkAuthority, checkClientId, checkName, checkScopes, checkTenant, splitScopes} from '../profiles/validate.js'
import {CORE_PROFILE_KEYS, optionValueProblem, type OptionSources, resolveOptions} from './flow-options.js'

/** The flags that feed settings; every field optional (absent = not given). */
export interface SettingFlags {
  authority?: string
  cae?: boolean
  claims?: string
  clientId?: string
  flow?: string
  loginHint?: string
  minValidityMs?: number
  noBrowser?: boolean
  /** Flow options given on the command line (get-token's --port, --paste-redirect…), by option name. */
  options?: Readonly<Record<string, FlowOptionValue | undefined>>
  prompt?: FlowSettings['prompt']
  scope?: string[]
  showUrl?: boolean
  tenant?: string
  timeoutMs?: number
}

export const DEFAULTS = {
  authority: 'public',
  flow: 'interactive',
  minValidityMs: 5 * 60_000,
  profile: 'default',
  scopes: ['https://graph.microsoft.com/.default'],
  timeoutMs: 120_000,
}

export interface ResolvedSettings extends FlowSettings {
  flow: string
  minValidityMs: number
  caFile?: string
  /** Send client capability cp1 (CAE). */
  cae: boolean
  /** MSAL's id of the account last signed in through the profile. */
  homeAccountId?: string
  oneOff: boolean
  /** True when neither --scope nor the profile named a scope, so the built-in default is used. */
  scopesDefaulted?: boolean
  /**
   * Where the flow's options come from. Their declarations are known only once the flow is loaded,
   * so `flowSettings` resolves them then; until that, `options` holds the flags' values over the
   * profile's, read as they are.
   */
  optionSources: Omit<OptionSources, 'env'>
  /**
   * The managed identity that keeps cached tokens of one profile's identities apart (the token
   * record's key). The cached-token path cannot load the flow's declaration, so this one value is
   * read here as the managed-identity flow declares it: ENTRATOOL_MANAGED_IDENTITY, else the profile.
   */
  managedIdentity?: string
}

/** Picks the profile name: flag > ENTRATOOL_PROFILE > the file's default > `default`. */
export function profileName(flag: string | undefined, env: NodeJS.ProcessEnv, fileDefault: string | undefined): string {
  const name = flag ?? (env.ENTRATOOL_PROFILE || undefined) ?? fileDefault ?? DEFAULTS.profile
  const problem = checkName(name)
  if (problem) throw usageError(problem)
  return name
}

/**
 * The one place settings are resolved: flag > environment > profile > built-in default.
 * `profile` is undefined for one-off use with --tenant and --client-id.
 */
export function resolveSettings(name: string, flags: SettingFlags, env: NodeJS.ProcessEnv, profile: Profile | undefined): ResolvedSettings {
  const tenantId = flags.tenant ?? profile?.tenantId
  const clientId = flags.clientId ?? profile?.clientId
  if (!tenantId || !clientId) {
    const missing = [tenantId ? '' : '--tenant', clientId ? '' : '--client-id'].filter(Boolean).join(' and ')
    throw usageError(`no profile '${name}' and no ${missing} given`, {next: `create one with \`entratool create-profile --name ${name}\`, or pass --tenant and --client-id`})
  }

  const problem = checkTenant(tenantId) ?? checkClientId(clientId) ?? (flags.authority ? checkAuthority(flags.authority) : undefined)
  if (problem) throw usageError(problem)

  const flagScopes = splitScopes(flags.scope)
  if (flags.scope && flagScopes.length === 0) throw usageError('--scope was given but holds no scope', {next: 'pass a scope such as https://graph.microsoft.com/User.Read, or leave --scope out for the profile\'s scopes'})
  const scopes = flagScopes.length > 0 ? flagScopes : profile?.scopes?.length ? profile.scopes : DEFAULTS.scopes
  const scopeProblem = checkScopes(scopes)
  if (scopeProblem) throw usageError(scopeProblem)
  const stored = profile === undefined ? undefined : Object.fromEntries(Object.entries(profile).filter(([key]) => !CORE_PROFILE_KEYS.has(key)))
  const given = Object.fromEntries(Object.entries(flags.options ?? {}).filter(([, value]) => value !== undefined)) as Record<string, FlowOptionValue>
  return {
    authority: tenantAuthority(flags.authority ?? profile?.authority ?? DEFAULTS.authority, tenantId, flags.tenant === undefined ? undefined : profile?.tenantId),
    cae: flags.cae ?? profile?.cae ?? false,
    caFile: env.ENTRATOOL_CA_FILE || profile?.caFile,
    claims: flags.claims,
    clientId,
    flow: flags.flow ?? profile?.flow ?? DEFAULTS.flow,
    homeAccountId: profile?.account?.homeAccountId,
    loginHint: flags.loginHint ?? profile?.account?.username,
    managedIdentity: env.ENTRATOOL_MANAGED_IDENTITY || (typeof profile?.managedIdentity === 'string' ? profile.managedIdentity : undefined),
    minValidityMs: flags.minValidityMs ?? DEFAULTS.minValidityMs,
    oneOff: profile === undefined,
    openBrowser: !flags.noBrowser,
    options: {...(stored as Record<string, FlowOptionValue>), ...given},
    optionSources: {flags: given, profile},
    profile: name,
    prompt: flags.prompt,
    scopes,
    scopesDefaulted: flagScopes.length === 0 && !profile?.scopes?.length,
    showUrl: flags.showUrl ?? false,
    tenantId,
    timeoutGiven: flags.timeoutMs !== undefined,
    timeoutMs: flags.timeoutMs ?? DEFAULTS.timeoutMs,
  }
}

/**
 * The settings a flow receives: its declared options resolved (flag > environment > profile), the
 * profile's values first checked against their declared types. A stored value the flow would
 * misread is a config error naming the profile (exit 3), caught before the flow runs.
 */
export function flowSettings(settings: ResolvedSettings, declared: readonly FlowOption[], env: NodeJS.ProcessEnv): ResolvedSettings {
  const {flags, profile} = settings.optionSources
  for (const option of declared) {
    const value = profile?.[option.name]
    const problem = value === undefined ? undefined : optionValueProblem(option, value)
    if (problem) throw configError(`profile '${settings.profile}' ${problem}`, {next: `fix it with \`entratool edit-profile --name ${settings.profile} --${option.flag} <value>\``})
  }

  return {...settings, options: resolveOptions(declared, {env, flags, profile})}
}

/**
 * The authority for a tenant. An authority URL that already names a tenant keeps it, unless
 * --tenant replaces the profile's tenant there; any other mismatch is refused rather than
 * silently requesting a token from a tenant the person did not name.
 */
function tenantAuthority(authority: string, tenantId: string, replacedTenant: string | undefined): string {
  const url = authorityUrl(authority, tenantId)
  const {origin, pathname} = new URL(url)
  const [, segment, ...rest] = pathname.split('/')
  if (segment.toLowerCase() === tenantId.toLowerCase()) return url
  if (replacedTenant !== undefined && segment.toLowerCase() === replacedTenant.toLowerCase()) return [origin, tenantId, ...rest].join('/')
  if (replacedTenant !== undefined) {
    throw usageError(`--tenant ${tenantId} does not match the tenant '${segment}' in the authority ${url}`, {next: 'pass --authority with the tenant you want, or leave --tenant out'})
  }

  return url
}

/** `--claims` accepts JSON or base64 of JSON; MSAL wants the JSON text. */
export function decodeClaims(input: string): string {
  const text = input.trim().startsWith('{') ? input.trim() : Buffer.from(input.trim(), 'base64').toString('utf8')
  try {
    JSON.parse(text)
  } catch {
    throw usageError('--claims is neither JSON nor base64-encoded JSON', {next: 'pass the claims challenge exactly as the resource returned it in WWW-Authenticate'})
  }

  return text
}
