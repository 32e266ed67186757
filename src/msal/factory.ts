import type {ConfidentialClientApplication, Configuration, ManagedIdentityApplication, ManagedIdentityIdParams, PublicClientApplication} from '@azure/msal-node'

import {usageError} from '../errors.js'
import type {ClientCredential, ManagedIdentitySelector} from '../flows/contract.js'
import {MAX_CREDENTIAL_BYTES, readBoundedFile} from '../lib/bounded-file.js'
import type {ResolvedSettings} from '../settings/resolve.js'
import {msalBlob} from '../storage/profile-names.js'
import type {Storage} from '../storage/storage.js'
import {damagedCacheTopic} from '../tokens/token-records.js'
import type {Ui} from '../ui/ui.js'
import {AuthorityMetadata} from './authority-metadata.js'
import {ProfileCachePlugin} from './cache-plugin.js'
import type {MsalApps} from './msal-tokens.js'
import {NetworkClient, proxyFromEnv} from './network-client.js'

/** Hosts MSAL validates through Microsoft's instance discovery; any other host is trusted as given. */
const MICROSOFT_HOSTS = new Set(['login.chinacloudapi.cn', 'login.microsoft.com', 'login.microsoftonline.com', 'login.microsoftonline.us', 'login.partner.microsoftonline.cn', 'login.windows.net', 'sts.windows.net'])

/** Per HTTP request; --timeout lowers it (it bounds the whole wait for a token). */
const HTTP_TIMEOUT_MS = 30_000

const MANAGED_IDENTITY_PARAM: Record<Exclude<ManagedIdentitySelector['kind'], 'system'>, keyof ManagedIdentityIdParams> = {
  'client-id': 'userAssignedClientId',
  'object-id': 'userAssignedObjectId',
  'resource-id': 'userAssignedResourceId',
}

/** The one place that knows how to configure MSAL: authority, trust, proxy, cache and logging. */
export class MsalClients implements MsalApps {
  readonly network: NetworkClient
  /** Managed identity endpoints live on the host itself (loopback or link-local): never through a proxy. */
  readonly managedIdentityNetwork: NetworkClient
  private cachePlugin?: ProfileCachePlugin
  private readonly metadata: AuthorityMetadata
  private msal?: typeof import('@azure/msal-node')

  constructor(
    private readonly settings: ResolvedSettings,
    private readonly storage: Storage,
    private readonly ui: Ui,
    env: NodeJS.ProcessEnv,
    signal?: AbortSignal,
  ) {
    const ca = readCaFile(settings.caFile)
    const timeoutMs = Math.min(HTTP_TIMEOUT_MS, settings.timeoutMs)
    const onGet = (url: string, body: unknown) => this.metadata.remember(url, body)
    this.network = new NetworkClient({ca, onGet, proxyFor: proxyConfigured(env) ? proxyFromEnv : undefined, signal, timeoutMs})
    this.managedIdentityNetwork = new NetworkClient({ca, signal, timeoutMs})
    this.metadata = new AuthorityMetadata(storage.blobs, settings.authority)
  }

  async confidentialClient(credential: ClientCredential): Promise<ConfidentialClientApplication> {
    const msal = await this.load()
    const config = await this.configuration()
    config.auth =
      credential.kind === 'secret'
        ? {...config.auth, clientSecret: credential.secret}
        : {...config.auth, clientAssertion: (options) => credential.getAssertion(options.tokenEndpoint ?? '')}
    return new msal.ConfidentialClientApplication(config)
  }

  async pkceCodes(): Promise<{challenge: string; verifier: string}> {
    return new (await this.load()).CryptoProvider().generatePkceCodes()
  }

  async managedIdentity(identity: ManagedIdentitySelector): Promise<ManagedIdentityApplication> {
    const msal = await this.load()
    return new msal.ManagedIdentityApplication({
      managedIdentityIdParams: identity.kind === 'system' ? undefined : {[MANAGED_IDENTITY_PARAM[identity.kind]]: identity.id},
      system: {loggerOptions: this.loggerOptions(), networkClient: this.managedIdentityNetwork},
    })
  }

  /**
   * From now on every MSAL cache access takes `lock` itself: for a sign-in that runs without the
   * profile lock, so that other processes can refresh meanwhile.
   */
  lockCacheAccess(lock: () => Promise<() => Promise<void>>): void {
    this.cachePlugin ??= new ProfileCachePlugin(this.storage.blobs, msalBlob(this.settings.profile), (line) => this.ui.warnOnce(damagedCacheTopic(this.settings.profile), line))
    this.cachePlugin.guard = lock
  }

  /** Waits for background writes (the authority's metadata) before the process ends. */
  async settle(): Promise<void> {
    await this.metadata.saved()
  }

  async publicClient(): Promise<PublicClientApplication> {
    return new (await this.load()).PublicClientApplication(await this.configuration())
  }

  private async configuration(): Promise<Configuration> {
    const host = new URL(this.settings.authority).host
    this.cachePlugin ??= new ProfileCachePlugin(this.storage.blobs, msalBlob(this.settings.profile), (line) => this.ui.warnOnce(damagedCacheTopic(this.settings.profile), line))
    return {
      auth: {
        authority: this.settings.authority,
        authorityMetadata: await this.metadata.recall(),
        clientId: this.settings.clientId,
        // CAE: MSAL merges {"access_token":{"xms_cc":{"values":["cp1"]}}} into every request's claims.
        clientCapabilities: this.settings.cae ? ['cp1'] : undefined,
        knownAuthorities: MICROSOFT_HOSTS.has(host) ? [] : [host],
      },
      cache: this.settings.oneOff ? undefined : {cachePlugin: this.cachePlugin},
      system: {
        loggerOptions: this.loggerOptions(),
        networkClient: this.network,
      },
    }
  }

  private loggerOptions(): NonNullable<Configuration['system']>['loggerOptions'] {
    return {
      logLevel: this.ui.debugging ? 3 : 0,
      loggerCallback: (_level, message) => this.ui.debug(`msal: ${message}`),
      piiLoggingEnabled: false,
    }
  }

  private async load(): Promise<typeof import('@azure/msal-node')> {
    this.msal ??= await import('@azure/msal-node')
    return this.msal
  }
}

function proxyConfigured(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.HTTPS_PROXY || env.https_proxy || env.ALL_PROXY || env.all_proxy)
}

function readCaFile(file: string | undefined): string | undefined {
  if (!file) return undefined
  const read = readBoundedFile(file)
  if (read.data === undefined) {
    const problem = read.problem === 'too large' ? `larger than ${MAX_CREDENTIAL_BYTES / 1024} KB` : read.problem
    throw usageError(`cannot read the CA file ${file} (ENTRATOOL_CA_FILE): ${problem}`, {next: 'point ENTRATOOL_CA_FILE at a readable PEM file'})
  }

  return read.data.toString('utf8')
}
