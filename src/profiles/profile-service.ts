import type {Interfaces} from '@oclif/core'
import {resolve} from 'node:path'

import {usageError} from '../errors.js'
import {discoverFlows, findFlow} from '../flows/registry.js'
import {ensurePrivateDir} from '../storage/private-files.js'
import {withLock} from '../storage/lock.js'
import {configDir, openStorage} from '../storage/open-storage.js'
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
  certificatePath?: string
  clientId?: string
  federatedTokenFile?: string
  flow?: string
  managedIdentity?: string
  port?: number
  portRange?: [number, number]
  privateKeyPath?: string
  scopes?: string[]
  sendX5c?: boolean
  pasteRedirect?: boolean
  cae?: boolean
  tenantId?: string
}

export interface SecretsInput {
  clientSecret?: string
  certificatePassword?: string
}

export interface ProfileSummary {
  name: string
  default: boolean
  tenant_id: string
  client_id: string
  flow: string | null
  authority: string
  scopes: string[]
  account: string | null
  /** Settings a flow may use; null when not set. */
  port: number | null
  port_range: string | null
  certificate: string | null
  private_key: string | null
  send_x5c: boolean
  paste_redirect: boolean
  cae: boolean
  federated_token_file: string | null
  managed_identity: string | null
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
    fields = await this.checkFiles(fields, secrets)
    const now = new Date().toISOString()
    const profile = compact({...fields, createdAt: now, flow: await this.flowId(fields.flow), name, updatedAt: now}) as Profile
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
    fields = await this.checkFiles(fields, secrets, await this.store.get(name))
    fields = {...fields, flow: await this.flowId(fields.flow)}
    const stored = await this.saveSecrets(name, secrets)
    const identityChanged = fields.tenantId !== undefined || fields.clientId !== undefined || fields.authority !== undefined
    const updated = await this.store.update(name, (p) => {
      const next: Profile = {...p, ...compact(fields), ...stored, updatedAt: new Date().toISOString()}
      // Tokens of another tenant, app or cloud must not be served for this profile.
      if (identityChanged) delete next.account
      // A new certificate without --private-key holds its own key; a stale key file would not match.
      if (fields.certificatePath !== undefined && fields.privateKeyPath === undefined) delete next.privateKeyPath
      return next
    })
    if (identityChanged) await this.clearTokens(name)
    if (makeDefault) await this.store.setDefault(name)
    return updated
  }

  async summaries(names?: string[]): Promise<ProfileSummary[]> {
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
            port: p.port ?? null,
            port_range: p.portRange ? p.portRange.join('-') : null,
            certificate: p.certificatePath ?? null,
            private_key: p.privateKeyPath ?? null,
            send_x5c: p.sendX5c ?? false,
            paste_redirect: p.pasteRedirect ?? false,
            cae: p.cae ?? false,
            federated_token_file: p.federatedTokenFile ?? null,
            managed_identity: p.managedIdentity ?? null,
            ca_file: p.caFile ?? null,
            client_secret: envSecret ? 'environment' : p.secretRef ? 'stored' : 'none',
            account: p.account?.username ?? null,
            token: latest ? {expires_at: new Date(latest.expiresOn).toISOString(), state: latest.expiresOn > Date.now() ? 'valid' : 'expired'} : {expires_at: null, state: 'none'},
            storage: {kind: storage.kind, ...storage.description},
            created_at: p.createdAt,
            updated_at: p.updatedAt,
          } satisfies ProfileSummary
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
  private async checkFiles(fields: ProfileFields, secrets: SecretsInput, existing?: Profile): Promise<ProfileFields> {
    const out = {...fields}
    for (const key of ['certificatePath', 'privateKeyPath', 'federatedTokenFile'] as const) {
      if (out[key] !== undefined) out[key] = resolve(out[key])
    }

    const certificatePath = out.certificatePath ?? existing?.certificatePath
    if (out.privateKeyPath !== undefined && !certificatePath) throw usageError('--private-key needs --certificate')
    if (certificatePath && (out.certificatePath ?? out.privateKeyPath ?? secrets.certificatePassword) !== undefined) {
      const privateKeyPath = out.certificatePath === undefined ? (out.privateKeyPath ?? existing?.privateKeyPath) : out.privateKeyPath
      const stored = async () => (existing ? (await this.openStorage()).secrets.get(secretKey(existing.name, 'certificate-password')) : undefined)
      const password = secrets.certificatePassword ?? (this.env.ENTRATOOL_CERTIFICATE_PASSWORD || (await stored()))
      const problem = certificateProblem(certificatePath, privateKeyPath, password)
      if (problem) throw usageError(problem)
    }

    const tokenFileProblem = out.federatedTokenFile === undefined ? undefined : fileProblem(out.federatedTokenFile, '--federated-token-file')
    if (tokenFileProblem) throw usageError(tokenFileProblem)
    return out
  }

  /** The flows installed, for the create-profile prompt's list. */
  async installedFlows(): Promise<{id: string; kind: 'application' | 'delegated'; summary: string}[]> {
    return (await discoverFlows(this.config)).flows.map(({id, kind, summary}) => ({id, kind, summary}))
  }

  /** The canonical id of an installed flow (aliases accepted); a missing flow exits 3. */
  private async flowId(flow: string | undefined): Promise<string | undefined> {
    if (flow === undefined) return undefined
    return findFlow(await discoverFlows(this.config), flow).id
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
}

/** Drops undefined fields so profiles.json holds only what was set. */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T
}
