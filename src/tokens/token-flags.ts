/**
 * The one table of `get-token`'s flags (and `refresh`'s, a subset). The oclif commands build their
 * flags from it (oclif-flags.ts) and the pre-oclif path parses argv with it here, so the two
 * can never disagree on a flag's name, letter, alias, choices or default. Plain data: this module
 * is on the hot path and imports nothing heavier than the duration and port parsers.
 */
import {parseDuration} from '../lib/duration.js'
import {parsePort, parsePortRange} from '../lib/ports.js'
import {TOKEN_FORMATS} from './render-token.js'

export interface FlagSpec {
  type: 'boolean' | 'duration' | 'port' | 'port-range' | 'string'
  description: string
  char?: string
  aliases?: string[]
  allowNo?: boolean
  default?: boolean | number | string
  /** Shown in help instead of the default's value (durations). */
  defaultHelp?: string
  exclusive?: string[]
  helpGroup?: string
  helpValue?: string
  multiple?: boolean
  options?: readonly string[]
  /**
   * The pre-oclif path may serve a call with this flag from the cache: it changes only which
   * cached token is looked up or how it is printed. Any other flag sends the call to oclif.
   */
  cacheable?: true
}

export const GET_TOKEN_FLAGS = {
  authority: {description: 'Authority for one-off use: public, usgov, china, a host or a full authority URL.', helpGroup: 'ONE-OFF', type: 'string'},
  browser: {allowNo: true, default: true, description: 'Open the browser (interactive flow); --no-browser only prints the URL.', type: 'boolean'},
  cae: {allowNo: true, description: 'Ask for a CAE-capable token (client capability cp1); the profile setting is the default.', type: 'boolean'},
  claims: {description: 'Claims challenge from a resource (JSON or base64), for MFA step-up or CAE.', exclusive: ['www-authenticate'], type: 'string'},
  'client-id': {description: 'Client id for one-off use without a profile.', helpGroup: 'ONE-OFF', type: 'string'},
  flow: {char: 'f', description: 'Flow to run: interactive, device-code, client-credentials, or one a plugin adds (see `entratool flows`).', helpValue: '<flow>', type: 'string'},
  force: {description: 'Ignore cached tokens and run the flow again (a new sign-in for delegated flows).', type: 'boolean'},
  'login-hint': {description: 'Account to sign in with (interactive flow); default: the account the profile last used.', helpValue: '<user>', type: 'string'},
  'min-validity': {cacheable: true, default: 5 * 60_000, defaultHelp: '5m', description: 'A cached token must stay valid at least this long.', type: 'duration'},
  output: {cacheable: true, char: 'o', default: 'token', description: 'What to print on stdout.', options: TOKEN_FORMATS, type: 'string'},
  'paste-redirect': {allowNo: true, description: 'Interactive flow without a listener: paste the address the browser ends on (SSH, tunnels, consoles).', type: 'boolean'},
  port: {description: 'Loopback port for the interactive flow callback.', exclusive: ['port-range'], type: 'port'},
  'port-range': {description: 'Use the first free loopback port in this range, e.g. 8000-8100.', type: 'port-range'},
  profile: {cacheable: true, char: 'p', description: 'Profile to use (default: $ENTRATOOL_PROFILE, the default profile, or "default").', helpValue: '<name>', type: 'string'},
  prompt: {description: 'What the sign-in page asks (interactive flow).', options: ['select_account', 'login', 'consent'], type: 'string'},
  scope: {cacheable: true, char: 's', description: 'Scope(s) to request; repeatable, space- or comma-separated.', multiple: true, type: 'string'},
  'show-url': {description: 'Always print the sign-in URL (interactive flow).', type: 'boolean'},
  silent: {cacheable: true, char: 'q', description: 'No status lines on stderr (errors and sign-in instructions still show).', type: 'boolean'},
  // --tenant-id too, as the profile commands (and az) spell it.
  tenant: {aliases: ['tenant-id'], cacheable: true, description: 'Tenant for one-off use without a profile. Also --tenant-id.', helpGroup: 'ONE-OFF', type: 'string'},
  'www-authenticate': {description: "A resource's 401 WWW-Authenticate header: get a token that meets its claims challenge (CAE, step-up).", helpValue: '<header>', type: 'string'},
  timeout: {description: 'How long to wait for sign-in (and at most for each request). Default 120s; a device code waits until it expires unless this is set.', type: 'duration'},
} as const satisfies Record<string, FlagSpec>

/** `refresh` takes the same output, profile and scope flags; its --silent has nothing to say about sign-in. */
export const REFRESH_FLAGS = {
  output: GET_TOKEN_FLAGS.output,
  profile: GET_TOKEN_FLAGS.profile,
  scope: GET_TOKEN_FLAGS.scope,
  silent: {...GET_TOKEN_FLAGS.silent, description: 'No status lines on stderr.'},
} as const satisfies Record<string, FlagSpec>

/** The flags a call may be served from the cache with, as the pre-oclif parser reads them. */
export interface CacheableFlags {
  minValidityMs?: number
  output: (typeof TOKEN_FORMATS)[number]
  profile?: string
  scope: string[]
  silent: boolean
  tenant?: string
}

/**
 * Reads `argv` (after the command name) with the table, accepting only cacheable flags; undefined
 * means "let oclif do it" (another flag, a bad value, a missing one: oclif says so properly).
 */
export function parseCacheableFlags(table: Record<string, FlagSpec>, argv: string[]): Record<string, unknown> | undefined {
  return parseTableFlags(table, argv, (spec) => spec.cacheable === true)
}

/**
 * Reads `argv` (after the command name) with the whole table, as oclif would for a well-formed
 * call, with the table's defaults; undefined for anything else (an unknown flag, --help, a bad or
 * missing value, two exclusive flags, an argument): oclif then runs the command and says what is
 * wrong exactly as it always has. Only the forms people and scripts write are read here:
 * `--name value`, `--name=value`, `-c value`, `--no-name`.
 */
export function parseAllFlags(table: Record<string, FlagSpec>, argv: string[]): Record<string, unknown> | undefined {
  const flags = parseTableFlags(table, argv, () => true)
  if (!flags) return undefined
  for (const [name, spec] of Object.entries(table)) {
    if (spec.exclusive?.some((other) => other in flags) && name in flags) return undefined
  }

  for (const [name, spec] of Object.entries(table)) if (!(name in flags) && spec.default !== undefined) flags[name] = spec.default
  return flags
}

function parseTableFlags(table: Record<string, FlagSpec>, argv: string[], accepted: (spec: FlagSpec) => boolean): Record<string, unknown> | undefined {
  const byName = new Map<string, [string, FlagSpec, boolean]>()
  for (const [name, spec] of Object.entries(table)) {
    if (!accepted(spec)) continue
    byName.set(`--${name}`, [name, spec, true])
    if (spec.char) byName.set(`-${spec.char}`, [name, spec, true])
    for (const alias of spec.aliases ?? []) byName.set(`--${alias}`, [name, spec, true])
    if (spec.allowNo) byName.set(`--no-${name}`, [name, spec, false])
  }

  const flags: Record<string, unknown> = {}
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1
    const [given, inline] = eq === -1 ? [arg, undefined] : [arg.slice(0, eq), arg.slice(eq + 1)]
    const found = byName.get(given)
    if (!found) return undefined
    const [name, spec, on] = found
    if (name in flags && !spec.multiple) return undefined
    if (spec.type === 'boolean') {
      if (inline !== undefined) return undefined
      flags[name] = on
      continue
    }

    const value = inline ?? argv[++i]
    if (value === undefined || value === '' || (inline === undefined && value.startsWith('-'))) return undefined
    const parsed = parseValue(spec, value)
    if (parsed === undefined) return undefined
    flags[name] = spec.multiple ? [...((flags[name] as unknown[] | undefined) ?? []), parsed] : parsed
  }

  return flags
}

/** A flag's value as oclif's parser for its type returns it; undefined when that parser refuses it. */
function parseValue(spec: FlagSpec, value: string): unknown {
  try {
    switch (spec.type) {
      case 'duration': {
        return parseDuration(value)
      }

      case 'port': {
        return parsePort(value)
      }

      case 'port-range': {
        return parsePortRange(value)
      }

      case 'string': {
        return spec.options && !spec.options.includes(value) ? undefined : value
      }

      default: {
        return undefined
      }
    }
  } catch {
    return undefined
  }
}
