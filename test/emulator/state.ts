import {X509Certificate, type KeyObject} from 'node:crypto'

import {CLIENT_SECRET, CONFIDENTIAL_CLIENT_ID, DEFAULT_USER, DEFAULTS, PUBLIC_CLIENT_ID} from './constants.js'
import {b64url, digest, stableGuid} from './jwt.js'
import type {AppRegistrationInput, DeviceCodeBehavior, FaultSpec, FederatedCredential, RequestLogEntry} from './types.js'

export type User = typeof DEFAULT_USER

export interface RegisteredCertificate {
  sha1: string
  sha256: string
  publicKey: KeyObject
}

export interface AppRegistration {
  clientId: string
  displayName: string
  publicClient: boolean
  secrets: string[]
  certificates: RegisteredCertificate[]
  federatedCredentials: FederatedCredential[]
  roles: string[]
  redirectUris?: string[]
  servicePrincipalId: string
}

export interface AuthCode {
  clientId: string
  redirectUri: string
  scope: string
  codeChallenge?: string
  nonce?: string
  user: User
  expiresAt: number
  used: boolean
}

export interface RefreshGrant {
  clientId: string
  user: User
  seq: number
  issuedAt: number
  expiresAt: number
}

export type DeviceStatus = 'pending' | 'approved' | 'denied' | 'redeemed'

export interface DeviceGrant {
  deviceCode: string
  userCode: string
  clientId: string
  scope: string
  status: DeviceStatus
  polls: number
  expiresAt: number
  slowDownSent: boolean
  user?: User
  /** Proves the approve/deny form follows a successful sign-in on the device login page. */
  consentTicket?: string
}

export interface ActiveFault extends FaultSpec {
  remaining: number
}

const MAX_LOG = 5000

export function toRegistration(input: AppRegistrationInput): AppRegistration {
  if (!input || typeof input.clientId !== 'string' || !input.clientId) throw new Error('registerApp needs a clientId')
  const certificates = (input.certificates ?? []).map((pem) => {
    const cert = new X509Certificate(pem)
    return {sha1: b64url(digest('sha1', cert.raw)), sha256: b64url(digest('sha256', cert.raw)), publicKey: cert.publicKey}
  })
  return {
    clientId: input.clientId.toLowerCase(),
    displayName: input.displayName ?? `App ${input.clientId}`,
    publicClient: input.publicClient ?? false,
    secrets: [...(input.secrets ?? [])],
    certificates,
    federatedCredentials: (input.federatedCredentials ?? []).map((c) => ({...c})),
    roles: [...(input.roles ?? [])],
    redirectUris: input.redirectUris ? [...input.redirectUris] : undefined,
    servicePrincipalId: stableGuid('service-principal', input.clientId.toLowerCase()),
  }
}

const STARTUP_APPS: AppRegistrationInput[] = [
  {clientId: PUBLIC_CLIENT_ID, displayName: 'entratool (public client)', publicClient: true},
  {
    clientId: CONFIDENTIAL_CLIENT_ID,
    displayName: 'entratool demo daemon',
    secrets: [CLIENT_SECRET],
    roles: ['Data.Read.All'],
  },
]

/** Everything the emulator remembers; reset() returns it to how it was at startup. */
export class EmulatorState {
  apps = new Map<string, AppRegistration>()
  users = new Map<string, User>([[DEFAULT_USER.username.toLowerCase(), DEFAULT_USER]])
  tokenLifetime: number = DEFAULTS.tokenLifetime
  refreshTokenLifetime: number = DEFAULTS.refreshTokenLifetime
  deviceBehavior: Required<DeviceCodeBehavior> = {...DEFAULTS.deviceCode}
  codes = new Map<string, AuthCode>()
  refreshTokens = new Map<string, RefreshGrant>()
  refreshSeq = 0
  /** Refresh tokens with a lower sequence number count as revoked. */
  refreshRevokedBelow = 0
  deviceCodes = new Map<string, DeviceGrant>()
  usedJtis = new Map<string, number>()
  faults: ActiveFault[] = []
  log: RequestLogEntry[] = []
  /** Every secret that crossed the token and device-code endpoints, for leak tests. */
  secrets = new Set<string>()
  /** Seconds added to the `Date` header of every answer (a server whose clock is off). */
  clockSkew = 0

  constructor() {
    this.reset()
  }

  reset(): void {
    this.apps.clear()
    for (const app of STARTUP_APPS) this.register(app)
    this.tokenLifetime = DEFAULTS.tokenLifetime
    this.clockSkew = 0
    this.refreshTokenLifetime = DEFAULTS.refreshTokenLifetime
    this.deviceBehavior = {...DEFAULTS.deviceCode}
    this.codes.clear()
    this.refreshTokens.clear()
    this.deviceCodes.clear()
    this.usedJtis.clear()
    this.faults = []
    this.log = []
  }

  register(input: AppRegistrationInput): AppRegistration {
    const app = toRegistration(input)
    this.apps.set(app.clientId, app)
    return app
  }

  app(clientId: string | null | undefined): AppRegistration | undefined {
    return clientId ? this.apps.get(clientId.toLowerCase()) : undefined
  }

  noteSecrets(values: Iterable<unknown>): void {
    for (const value of values) if (typeof value === 'string' && value.length >= 8) this.secrets.add(value)
  }

  record(entry: RequestLogEntry): void {
    this.log.push(entry)
    if (this.log.length > MAX_LOG) this.log.splice(0, this.log.length - MAX_LOG)
  }

  deviceByUserCode(userCode: string): DeviceGrant | undefined {
    const wanted = userCode.replace(/[^a-z0-9]/gi, '').toUpperCase()
    for (const grant of this.deviceCodes.values()) {
      if (grant.userCode.replace('-', '') === wanted) return grant
    }
    return undefined
  }

  /** Drops expired one-time artefacts so a long-running emulator does not grow without bound. */
  sweep(now = Date.now()): void {
    // Expired entries linger for a while so a late use still gets the precise "expired"/"redeemed" error.
    const grace = 24 * 3600 * 1000
    for (const [code, grant] of this.codes) if (grant.expiresAt + grace < now) this.codes.delete(code)
    for (const [jti, exp] of this.usedJtis) if (exp < now) this.usedJtis.delete(jti)
    for (const [token, grant] of this.refreshTokens) if (grant.expiresAt + grace < now) this.refreshTokens.delete(token)
    for (const [code, grant] of this.deviceCodes) if (grant.expiresAt + grace < now) this.deviceCodes.delete(code)
  }
}
