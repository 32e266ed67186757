import {DEFAULTS} from './constants.js'
import {FAULT_ENDPOINTS, FAULT_KINDS} from './faults.js'
import type {OidcIssuer} from './oidc-issuer.js'
import type {EmulatorState} from './state.js'
import type {DeviceCodeBehavior, DeviceCodeMode, EmulatorControl, FaultSpec} from './types.js'

const MODES: readonly DeviceCodeMode[] = ['manual', 'approve', 'deny', 'expire']

// Inputs also arrive as JSON from other processes, so every method validates what it is given.
function seconds(value: unknown, name: string, min: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) throw new Error(`${name} must be a number >= ${min}`)
  return Math.floor(value)
}

function optionalCount(value: unknown, name: string, fallback: number, min = 0): number {
  return value === undefined ? fallback : seconds(value, name, min)
}

function errorFault(fault: FaultSpec): Pick<FaultSpec, 'code' | 'description' | 'error' | 'status'> {
  if (typeof fault.error !== 'string' || !/^[a-z_]+$/.test(fault.error)) throw new Error('an error fault needs error, an OAuth error name such as invalid_grant')
  const code = fault.code === undefined ? undefined : seconds(fault.code, 'code', 1)
  const status = fault.status === undefined ? 400 : seconds(fault.status, 'status', 400)
  if (status > 599) throw new Error('status must be an HTTP error status')
  if (fault.description !== undefined && typeof fault.description !== 'string') throw new Error('description must be text')
  return {code, description: fault.description, error: fault.error, status}
}

export function createControl(state: EmulatorState, oidc: OidcIssuer): EmulatorControl {
  return {
    registerApp: (app) => void state.register(app),
    setTokenLifetime: (value) => {
      state.tokenLifetime = seconds(value, 'token lifetime', 1)
    },
    setRefreshTokenLifetime: (value) => {
      state.refreshTokenLifetime = seconds(value, 'refresh token lifetime', 0)
    },
    expireRefreshTokens: () => {
      state.refreshRevokedBelow = state.refreshSeq
    },
    setDeviceCodeBehavior: (behavior: DeviceCodeBehavior) => {
      if (!behavior || !MODES.includes(behavior.mode)) throw new Error(`mode must be one of ${MODES.join(', ')}`)
      const d = DEFAULTS.deviceCode
      state.deviceBehavior = {
        mode: behavior.mode,
        afterPolls: optionalCount(behavior.afterPolls, 'afterPolls', d.afterPolls),
        slowDownOnce: behavior.slowDownOnce ?? d.slowDownOnce,
        interval: optionalCount(behavior.interval, 'interval', d.interval),
        expiresIn: optionalCount(behavior.expiresIn, 'expiresIn', d.expiresIn, 1),
      }
    },
    injectFault: (fault: FaultSpec) => {
      if (!fault || !FAULT_ENDPOINTS.includes(fault.endpoint)) throw new Error(`endpoint must be one of ${FAULT_ENDPOINTS.join(', ')}`)
      if (!FAULT_KINDS.includes(fault.kind)) throw new Error(`kind must be one of ${FAULT_KINDS.join(', ')}`)
      const remaining = optionalCount(fault.count, 'count', 1, 1)
      const retryAfter = fault.retryAfter === undefined ? undefined : seconds(fault.retryAfter, 'retryAfter', 0)
      const delayMs = fault.delayMs === undefined ? undefined : seconds(fault.delayMs, 'delayMs', 0)
      if (fault.kind === 'body' && typeof fault.body !== 'string') throw new Error('kind body needs body (the text to answer)')
      const entra = fault.kind === 'error' ? errorFault(fault) : fault.kind === 'body' ? {body: fault.body, status: fault.status === undefined ? undefined : optionalCount(fault.status, 'status', 200, 100)} : {}
      state.faults.push({endpoint: fault.endpoint, kind: fault.kind, count: remaining, retryAfter, delayMs, remaining, ...entra})
    },
    clearFaults: () => {
      state.faults = []
    },
    requests: () => state.log.map((entry) => ({...entry})),
    secretsSeen: () => [...state.secrets],
    clearRequests: () => {
      state.log = []
    },
    reset: () => state.reset(),
    mintFederatedToken: (options) => oidc.mint(options),
    setClockSkew: (value) => {
      if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error('seconds must be a number')
      state.clockSkew = Math.trunc(value)
    },
  }
}
