/**
 * The service behind `serve-identity` and `exec`: resolves the profiles to serve, starts the
 * identity server over the TokenService (never interactive: no request can open a browser or a
 * prompt), and says what a client needs to reach it.
 */
import {isIP} from 'node:net'

import {isEntraToolError, usageError} from '../errors.js'
import {type ServiceDeps, TokenService} from '../flows/token-service.js'
import {ProfileStore} from '../profiles/store.js'
import {profileName} from '../settings/resolve.js'
import {configDir} from '../storage/open-storage.js'
import {Ui} from '../ui/ui.js'
import {newSecret} from './protocol.js'
import {IdentityServer, type ServedProfile, type UpstreamFailure} from './server.js'

export interface IdentityOptions {
  /** Profile names; empty means the default profile. The first answers requests without an identity. */
  profiles: string[]
  bind: string
  port: number
  minValidityMs: number
  allowResources?: string[]
  /** One audit line per answer (stderr in the CLI). */
  audit: (line: string) => void
}

/** What a client needs: the four variables the Azure SDKs read. */
export interface IdentityEnv {
  IDENTITY_ENDPOINT: string
  IDENTITY_HEADER: string
  MSI_ENDPOINT: string
  MSI_SECRET: string
}

export interface RunningIdentity {
  endpoint: string
  env: IdentityEnv
  port: number
  profiles: ServedProfile[]
  close(): Promise<void>
}

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1)$/

/**
 * Whether other hosts may reach `address`. Refuses anything but an IP address: a host name could
 * resolve to somewhere else tomorrow.
 */
export function isExposed(address: string): boolean {
  if (isIP(address) === 0) throw usageError(`--bind '${address}' is not an IP address`, {next: 'pass 127.0.0.1 (the default), or the address of the interface to listen on, e.g. the Docker bridge 172.17.0.1'})
  return !LOOPBACK.test(address)
}

export class IdentityService {
  constructor(private readonly deps: ServiceDeps) {}

  /** The served profiles (name and client id), checked before anything listens. */
  async resolveProfiles(names: string[]): Promise<Array<ServedProfile & {scopes?: string[]}>> {
    const {config, env} = this.deps
    const store = new ProfileStore(configDir(config, env))
    const wanted = names.length > 0 ? names : [profileName(undefined, env, store.read().defaultProfile)]
    const served: Array<ServedProfile & {scopes?: string[]}> = []
    for (const name of wanted) {
      // profileName refuses an invalid name (exit 2) before the store says it does not exist (exit 3).
      const profile = await store.get(profileName(name, env, undefined))
      if (!served.some((p) => p.name === profile.name)) served.push({clientId: profile.clientId, name: profile.name, scopes: profile.scopes})
    }

    return served
  }

  async start(options: IdentityOptions, resolved?: ServedProfile[]): Promise<RunningIdentity> {
    isExposed(options.bind)
    const profiles = resolved ?? (await this.resolveProfiles(options.profiles))
    // Status lines of the token service would repeat for every request; the audit line says it once.
    const tokens = new TokenService({...this.deps, ui: new Ui({debug: this.deps.ui.debugging, silent: true})})
    const secret = newSecret()
    const server = new IdentityServer({
      allowResources: options.allowResources,
      audit: options.audit,
      describeFailure,
      minValidityMs: options.minValidityMs,
      profiles,
      secret,
      source: {
        async token(profile, scope) {
          const outcome = await tokens.getToken({
            minValidityMs: options.minValidityMs,
            nonInteractive: 'a request to the identity endpoint cannot show a sign-in',
            profile,
            scope: [scope],
          })
          return {fromCache: outcome.fromCache, token: {accessToken: outcome.token.accessToken, expiresOn: outcome.token.expiresOn}}
        },
      },
    })
    const endpoint = await server.listen(options.bind, options.port).catch((error: NodeJS.ErrnoException) => {
      const where = `${options.bind}:${options.port}`
      if (error.code === 'EADDRINUSE') throw usageError(`cannot listen on ${where}: the port is in use`, {next: 'pick another --port, or leave --port out for a free one'})
      if (error.code === 'EADDRNOTAVAIL') throw usageError(`cannot listen on ${options.bind}: it is not an address of this machine`, {next: 'pass an address of one of its interfaces with --bind'})
      if (error.code === 'EACCES') throw usageError(`cannot listen on ${where}: permission denied`, {next: 'use a port above 1023'})
      throw error
    })
    return {
      close: () => server.close(),
      endpoint,
      env: {IDENTITY_ENDPOINT: endpoint, IDENTITY_HEADER: secret, MSI_ENDPOINT: endpoint, MSI_SECRET: secret},
      port: Number(new URL(endpoint).port),
      profiles,
    }
  }
}

/** An EntraToolError's sentence, Entra code and next step, as one message for an SDK to show. */
function describeFailure(error: unknown): UpstreamFailure {
  if (isEntraToolError(error)) {
    const code = error.code ? ` [${error.code}]` : ''
    return {correlationId: error.correlationId, message: `${error.message}${code}${error.next ? `; ${error.next}` : ''}`}
  }

  return {message: `unexpected failure: ${error instanceof Error ? error.message : String(error)}`}
}
