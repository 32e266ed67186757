import {checkAuthority, checkClientId, checkName, checkPortRange, checkTenant} from './validate.js'

export interface AccountRef {
  username: string
  homeAccountId: string
}

/** A profile as stored in profiles.json. Secrets never live here, only references to them. */
export interface Profile {
  name: string
  tenantId: string
  clientId: string
  flow?: string
  scopes?: string[]
  authority?: string
  port?: number
  portRange?: [number, number]
  certificatePath?: string
  privateKeyPath?: string
  sendX5c?: boolean
  /** Interactive flow: sign in by pasting the redirect address (no listener). */
  pasteRedirect?: boolean
  /** Send client capability cp1 (Continuous Access Evaluation). */
  cae?: boolean
  federatedTokenFile?: string
  caFile?: string
  /** Managed identity flow: `system`, a client id, `object-id:<guid>` or a resource id. */
  managedIdentity?: string
  /** Names the secure-storage entry that holds the client secret. */
  secretRef?: string
  /** Names the secure-storage entry that holds the PFX password. */
  certificatePasswordRef?: string
  /** The account last signed in through this profile (delegated flows). */
  account?: AccountRef
  createdAt: string
  updatedAt: string
}

export interface ProfilesFile {
  version: 1
  defaultProfile?: string
  profiles: Record<string, Profile>
}

const STRING_FIELDS = ['flow', 'authority', 'certificatePath', 'privateKeyPath', 'federatedTokenFile', 'caFile', 'managedIdentity', 'secretRef', 'certificatePasswordRef'] as const

/** Returns what is wrong with a profile, or undefined. Used on read, write and import. */
export function checkProfile(profile: unknown, key?: string): string | undefined {
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
  if (p.port !== undefined && !(Number.isInteger(p.port) && (p.port as number) > 0 && (p.port as number) < 65_536)) return 'has an invalid port'
  if (p.portRange !== undefined) {
    const problem = checkPortRange(p.portRange)
    if (problem) return problem
  }

  for (const field of STRING_FIELDS) {
    // eslint-disable-next-line no-control-regex
    if (typeof p[field] === 'string' && /[\u0000-\u001F\u007F-\u009F]/.test(p[field] as string)) return `has a ${field} with control characters`
  }

  for (const field of ['sendX5c', 'pasteRedirect', 'cae']) {
    if (p[field] !== undefined && typeof p[field] !== 'boolean') return `has a ${field} that is not true or false`
  }
  if (p.account !== undefined) {
    const a = p.account as Record<string, unknown>
    if (typeof a !== 'object' || a === null || typeof a.username !== 'string' || typeof a.homeAccountId !== 'string') return 'has an invalid account'
  }
}

/** Returns what is wrong with the whole file, or undefined. */
export function checkProfilesFile(data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return 'is not a JSON object'
  const file = data as Record<string, unknown>
  if (file.version !== 1) return `has version ${JSON.stringify(file.version)}, expected 1`
  if (typeof file.profiles !== 'object' || file.profiles === null || Array.isArray(file.profiles)) return 'has no profiles object'
  for (const [key, profile] of Object.entries(file.profiles)) {
    const problem = checkProfile(profile, key)
    if (problem) return `profile '${key}' ${problem}`
  }

  if (file.defaultProfile !== undefined && typeof file.defaultProfile !== 'string') return 'has a defaultProfile that is not text'
}
