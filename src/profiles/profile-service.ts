import type {Interfaces} from '@oclif/core'
import {resolve} from 'node:path'

import {usageError} from '../errors.js'
import type {FlowOption, FlowOptionValue} from '../flows/contract.js'
import {declaredOptions, discoverFlows, type FlowCatalog, findFlow} from '../flows/registry.js'
import {withLock} from '../storage/lock.js'
import {configDir, openStorage} from '../storage/open-storage.js'
import {ensurePrivateDir} from '../storage/private-files.js'
import {msalBlob, nameLock, secretKey, tokenBlob, tokenLock} from '../storage/profile-names.js'
import type {Storage} from '../storage/storage.js'
import {TokenRecords} from '../tokens/token-records.js'
import {certificateProblem, fileProblem} from './credential-files.js'
import type {Profile} from './profile.js'
import {alreadyExists, clashingName, ProfileStore} from './store.js'
import {authorityUrl, checkAuthority, checkClientId, checkName, checkTenant} from './validate.js'

/** Profile fields as given by flags or prompts; undefined = not given. */
export interface ProfileFields {
  authority?: string
  caFile?: string
  clientId?: string
  flow?: string
  scopes?: string[]
  cae?: boolean
  tenantId?: string
  /** Values of the options the installed flows declare, by option name. */
  options?: Record<string, FlowOptionValue>
}

export interface SecretsInput {
  clientSecret?: string
  certificatePassword?: string
}

/** One profile as show-profile and list-profiles give it; the flows' options by their flag names, `_` for `-`. */
export type ProfileSummary = ProfileSummaryCore & {[option: string]: unknown}

interface ProfileSummaryCore {
  name: string
  default: boolean
  tenant_id: string
  client_id: string
  flow: string | null
  authority: string
  scopes: string[]
  account: string | null
  cae: boolean
  ca_file: string | null
  token: {state: 'expired' | 'none' | 'valid'; expires_at: string | null}
  client_secret: 'environment' | 'none' | 'stored'
  storage: {kind: string; tokens: string; secrets: string}
  created_at: string
  updated_at: string
}

/** The profile commands' one service: validation, secrets in secure storage, tokens on delete. */
export class ProfileService {
  readonly store: ProfileStore
  private storage?: Storage
  private catalog?: Promise<FlowCatalog>

  constructor(
    private readonly config: Interfaces.Config,
    private readonly env: NodeJS.ProcessEnv,
    private readonly ui?: {warn(line: string): void},
  ) {
    this.store = new ProfileStore(configDir(config, env))
  }

  async create(name: string, fields: ProfileFields, secrets: SecretsInput, options: {force?: boolean; makeDefault?: boolean}): Promise<Profile> {
    const problem = checkName(name) ?? checkTenant(fields.tenantId ?? '') ?? checkClientId(fields.clientId ?? '') ?? checkFields(fields)
    if (problem) throw usageError(problem)
    const declared = await this.declaredOptions()
    fields = await this.checkFiles(fields, secrets, declared)
    const now = new Date().toISOString()
    const {options: values, ...core} = fields
    const profile = compact({...core, ...values, createdAt: now, flow: await this.flowId(fields.flow), name, updatedAt: now}) as Profile
    return this.underNameLock(name, async () => {
      // Refused before any secret is written: a clash must not overwrite the existing profile's secret.
      const clash = clashingName(this.store.read().profiles, name)
      if (clash && !options.force) throw alreadyExists(clash, name)
      // A replaced profile's secrets and tokens belong to another app or account: drop them.
      if (clash) await this.forget(clash)
      const stored = await this.saveSecrets(name, secrets)
      return this.store.create({...profile, ...stored}, options)
    })
  }

  async delete(name: string): Promise<Profile> {
    const invalid = checkName(name)
    if (invalid) throw usageError(invalid)
    return this.underNameLock(name, async () => {
      const profile = await this.store.get(name)
      await this.forget(name)
      return this.store.delete(profile.name)
    })
  }

  /**
   * One locked change per profile name (case-insensitive, as names clash): the secrets, tokens and
   * the profiles.json entry of a create --force and a delete can no longer interleave and leave a
   * profile whose secret the other removed. profiles.json keeps its own lock inside.
   */
  private async underNameLock<T>(name: string, work: () => Promise<T>): Promise<T> {
    // The config directory itself is checked (no planted symlink, no other owner) before its locks/ is made.
    await ensurePrivateDir(this.store.configDir)
    return withLock(nameLock(this.store.configDir, name), work)
  }

  /** Removes a profile's cached tokens and stored secrets. */
  private async forget(name: string): Promise<void> {
    const storage = await this.openStorage()
    await this.clearTokens(name)
    await storage.secrets.delete(secretKey(name, 'client-secret'))
    await storage.secrets.delete(secretKey(name, 'certificate-password'))
  }

  /** Under the profile's token lock, so a get-token in flight cannot write the tokens back. */
  async clearTokens(name: string): Promise<void> {
    const storage = await this.openStorage()
    await withLock(tokenLock(this.store.configDir, name), async () => {
      await new TokenRecords(storage.blobs, name).clear()
      await storage.blobs.delete(msalBlob(name))
    })
  }

  async edit(name: string, fields: ProfileFields, secrets: SecretsInput, makeDefault: boolean): Promise<Profile> {
    const problem = (fields.tenantId === undefined ? undefined : checkTenant(fields.tenantId)) ?? (fields.clientId === undefined ? undefined : checkClientId(fields.clientId)) ?? checkFields(fields)
    if (problem) throw usageError(problem)
    const options = await this.declaredOptions()
    fields = await this.checkFiles(fields, secrets, options, await this.store.get(name))
    fields = {...fields, flow: await this.flowId(fields.flow)}
    const stored = await this.saveSecrets(name, secrets)
    const identityChanged = fields.tenantId !== undefined || fields.clientId !== undefined || fields.authority !== undefined
    const {options: values = {}, ...core} = fields
    const updated = await this.store.update(name, (p) => {
      const next: Profile = {...p, ...compact(core), ...values, ...stored, updatedAt: new Date().toISOString()}
      // Tokens of another tenant, app or cloud must not be served for this profile.
      if (identityChanged) delete next.account
      // A new certificate without --private-key holds its own key; a stale key file would not match.
      if (values.certificatePath !== undefined && values.privateKeyPath === undefined) delete next.privateKeyPath
      return next
    })
    if (identityChanged) await this.clearTokens(name)
    if (makeDefault) await this.store.setDefault(name)
    return updated
  }

  async summaries(names?: string[]): Promise<ProfileSummary[]> {
    const options = await this.declaredOptions()
    const file = this.store.read()
    const storage = await this.openStorage()
    const profiles = names ? names.map((n) => Object.hasOwn(file.profiles, n) ? file.profiles[n] : undefined).filter((p): p is Profile => p !== undefined) : Object.values(file.profiles)
    const envSecret = Boolean(this.env.ENTRATOOL_CLIENT_SECRET || this.env.AZURE_CLIENT_SECRET)
    const present = new Set(await storage.blobs.names())
    return Promise.all(
      profiles
        .sort((a, b) => a.name.localeCompare(b.name))
        .map(async (p) => {
          // One directory listing instead of a read per profile: most profiles have no tokens.
          const latest = present.has(tokenBlob(p.name)) ? await new TokenRecords(storage.blobs, p.name).latest() : undefined
          // Ordered for people reading show-profile: identity, then flow settings, then state.
          return {
            name: p.name,
            default: file.defaultProfile === p.name,
            tenant_id: p.tenantId,
            client_id: p.clientId,
            authority: authorityUrl(p.authority, p.tenantId),
            flow: p.flow ?? null,
            scopes: p.scopes ?? [],
            ...optionSummary(options, p),
            cae: p.cae ?? false,
            ca_file: p.caFile ?? null,
            client_secret: envSecret ? 'environment' : p.secretRef ? 'stored' : 'none',
            account: p.account?.username ?? null,
            token: latest ? {expires_at: new Date(latest.expiresOn).toISOString(), state: latest.expiresOn > Date.now() ? 'valid' : 'expired'} : {expires_at: null, state: 'none'},
            storage: {kind: storage.kind, ...storage.description},
            created_at: p.createdAt,
            updated_at: p.updatedAt,
          } satisfies ProfileSummaryCore
        }),
    )
  }

  async openStorage(): Promise<Storage> {
    if (!this.storage) {
      this.storage = await openStorage(this.config, this.env)
      for (const warning of this.storage.warnings) this.ui?.warn(warning)
    }

    return this.storage
  }

  /**
   * Makes credential file paths absolute (get-token runs from any directory) and checks the files
   * now. A certificate is checked when it, its key or its password changes.
   */
  private async checkFiles(fields: ProfileFields, secrets: SecretsInput, options: readonly FlowOption[], existing?: Profile): Promise<ProfileFields> {
    const values: Record<string, FlowOptionValue> = {...fields.options}
    for (const option of options) {
      if (option.type === 'path' && typeof values[option.name] === 'string') values[option.name] = resolve(values[option.name] as string)
    }

    // The client certificate is checked whole (key, password, expiry): a flow's files can only be
    // checked as readable by their type, and TLS's context builder knows PEM and PFX alike.
    const certificatePath = (values.certificatePath ?? existing?.certificatePath) as string | undefined
    if (values.privateKeyPath !== undefined && !certificatePath) throw usageError('--private-key needs --certificate')
    if (certificatePath && (values.certificatePath ?? values.privateKeyPath ?? secrets.certificatePassword) !== undefined) {
      const privateKeyPath = (values.certificatePath === undefined ? (values.privateKeyPath ?? existing?.privateKeyPath) : values.privateKeyPath) as string | undefined
      const stored = async () => (existing ? (await this.openStorage()).secrets.get(secretKey(existing.name, 'certificate-password')) : undefined)
      const password = secrets.certificatePassword ?? (this.env.ENTRATOOL_CERTIFICATE_PASSWORD || (await stored()))
      const problem = certificateProblem(certificatePath, privateKeyPath, password)
      if (problem) throw usageError(problem)
    }

    for (const option of options) {
      const path = values[option.name]
      const problem = option.type === 'path' && typeof path === 'string' ? fileProblem(path, `--${option.flag}`) : undefined
      if (problem) throw usageError(problem)
    }

    return {...fields, options: values}
  }

  /** The options the installed flows declare; profiles.json's values are checked by them from now on. */
  async declaredOptions(): Promise<FlowOption[]> {
    const options = declaredOptions(await this.flows())
    this.store.options = options
    return options
  }

  private flows(): Promise<FlowCatalog> {
    this.catalog ??= discoverFlows(this.config)
    return this.catalog
  }

  /** The flows installed, for the create-profile prompt's list. */
  async installedFlows(): Promise<{aliases?: string[]; id: string; kind: 'application' | 'delegated'; options?: FlowOption[]; summary: string}[]> {
    return (await this.flows()).flows.map(({aliases, id, kind, options, summary}) => ({aliases, id, kind, options, summary}))
  }

  /** The canonical id of an installed flow (aliases accepted); a missing flow exits 3. */
  private async flowId(flow: string | undefined): Promise<string | undefined> {
    if (flow === undefined) return undefined
    return findFlow(await this.flows(), flow).id
  }

  private async saveSecrets(name: string, secrets: SecretsInput): Promise<Partial<Profile>> {
    const refs: Partial<Profile> = {}
    if (secrets.clientSecret === undefined && secrets.certificatePassword === undefined) return refs
    const storage = await this.openStorage()
    if (secrets.clientSecret !== undefined) {
      refs.secretRef = secretKey(name, 'client-secret')
      await storage.secrets.set(refs.secretRef, secrets.clientSecret)
    }

    if (secrets.certificatePassword !== undefined) {
      refs.certificatePasswordRef = secretKey(name, 'certificate-password')
      await storage.secrets.set(refs.certificatePasswordRef, secrets.certificatePassword)
    }

    return refs
  }
}

function checkFields(fields: ProfileFields): string | undefined {
  if (fields.authority !== undefined) return checkAuthority(fields.authority)
  return undefined
}

/**
 * A profile's option values as people read them, keyed by flag (`port_range`): unset text is
 * null, an unset switch false, a port range `A-B`.
 */
function optionSummary(options: readonly FlowOption[], profile: Profile): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const option of options) {
    const value = profile[option.name]
    out[option.flag.replaceAll('-', '_')] = option.type === 'boolean' ? (value ?? false) : option.type === 'port-range' && Array.isArray(value) ? value.join('-') : (value ?? null)
  }

  return out
}

/** Drops undefined fields so profiles.json holds only what was set. */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T
}
