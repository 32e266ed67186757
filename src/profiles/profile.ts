import type {FlowOption} from '../flows/contract.js'
import {CORE_PROFILE_KEYS, optionValueProblem} from '../settings/flow-options.js'
import {checkAuthority, checkClientId, checkName, checkTenant} from './validate.js'

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001F\u007F-\u009F]/

export interface AccountRef {
  username: string
  homeAccountId: string
}

/**
 * A profile as stored in profiles.json. Secrets never live here, only references to them. Besides
 * these fields it holds the options flows declare (FlowDescriptor.options), each under its own
 * name: `port`, `certificatePath`, `managedIdentity`, …
 */
export interface ProfileCore {
  name: string
  tenantId: string
  clientId: string
  flow?: string
  scopes?: string[]
  authority?: string
  /** Send client capability cp1 (Continuous Access Evaluation). */
  cae?: boolean
  caFile?: string
  /** Names the secure-storage entry that holds the client secret. */
  secretRef?: string
  /** Names the secure-storage entry that holds the PFX password. */
  certificatePasswordRef?: string
  /** The account last signed in through this profile (delegated flows). */
  account?: AccountRef
  createdAt: string
  updatedAt: string
}

/** The options flows declare, by name; what a value may be depends on its declaration. */
export type ProfileOptions = {[option: string]: unknown}

export type Profile = ProfileCore & ProfileOptions

export interface ProfilesFile {
  version: 1
  defaultProfile?: string
  profiles: Record<string, Profile>
}

const STRING_FIELDS = ['flow', 'authority', 'caFile', 'secretRef', 'certificatePasswordRef'] as const

/**
 * Returns what is wrong with a profile, or undefined. Used on read, write and import. Values of
 * the `options` given (the installed flows' declarations) are checked by their declared type;
 * any other field the core does not own must at least be plain data without control characters.
 */
export function checkProfile(profile: unknown, key?: string, options: readonly FlowOption[] = []): string | undefined {
  if (typeof profile !== 'object' || profile === null || Array.isArray(profile)) return 'is not an object'
  const p = profile as Record<string, unknown>
  if (typeof p.name !== 'string') return 'has no name'
  if (key !== undefined && p.name !== key) return `is stored under '${key}' but named '${p.name}'`
  for (const field of ['tenantId', 'clientId', 'createdAt', 'updatedAt']) {
    if (typeof p[field] !== 'string') return `has no ${field}`
  }

  const problem =
    checkName(p.name) ?? checkTenant(p.tenantId as string) ?? checkClientId(p.clientId as string) ?? (typeof p.authority === 'string' ? checkAuthority(p.authority) : undefined)
  if (problem) return problem
  for (const field of STRING_FIELDS) {
    if (p[field] !== undefined && typeof p[field] !== 'string') return `has a ${field} that is not text`
  }

  if (p.scopes !== undefined && !(Array.isArray(p.scopes) && p.scopes.every((s) => typeof s === 'string'))) return 'has scopes that are not a list of text'
  for (const field of STRING_FIELDS) {
    if (typeof p[field] === 'string' && CONTROL.test(p[field] as string)) return `has a ${field} with control characters`
  }

  if (p.cae !== undefined && typeof p.cae !== 'boolean') return 'has a cae that is not true or false'
  const declared = new Map(options.map((o) => [o.name, o]))
  for (const [field, value] of Object.entries(p)) {
    if (value === undefined || CORE_PROFILE_KEYS.has(field)) continue
    const option = declared.get(field)
    const problem = option ? optionValueProblem(option, value) : undeclaredValueProblem(field, value)
    if (problem) return problem
  }

  if (p.account !== undefined) {
    const a = p.account as Record<string, unknown>
    if (typeof a !== 'object' || a === null || typeof a.username !== 'string' || typeof a.homeAccountId !== 'string') return 'has an invalid account'
  }
  return undefined
}

/**
 * An option no installed flow declares (its plugin was removed, or it is checked where flows are
 * not loaded): text, a switch, a number or a list of numbers, never a terminal escape.
 */
function undeclaredValueProblem(field: string, value: unknown): string | undefined {
  if (typeof value === 'string') return CONTROL.test(value) ? `has a ${field} with control characters` : undefined
  if (typeof value === 'boolean' || Number.isFinite(value)) return undefined
  if (Array.isArray(value) && value.every((n) => Number.isFinite(n))) return undefined
  return `has a ${field} that is neither text, a number, a list of numbers nor true or false`
}

/** Returns what is wrong with the whole file, or undefined. */
export function checkProfilesFile(data: unknown, options: readonly FlowOption[] = []): string | undefined {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return 'is not a JSON object'
  const file = data as Record<string, unknown>
  if (file.version !== 1) return `has version ${JSON.stringify(file.version)}, expected 1`
  if (typeof file.profiles !== 'object' || file.profiles === null || Array.isArray(file.profiles)) return 'has no profiles object'
  for (const [key, profile] of Object.entries(file.profiles)) {
    const problem = checkProfile(profile, key, options)
    if (problem) return `profile '${key}' ${problem}`
  }

  if (file.defaultProfile !== undefined && typeof file.defaultProfile !== 'string') return 'has a defaultProfile that is not text'
  return undefined
}
