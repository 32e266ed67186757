import {randomInt} from 'node:crypto'

import {DEFAULT_USER} from './constants.js'
import {EntraError, errors} from './errors.js'
import {allParams, sendHtml, sendJson, type Ctx} from './http-util.js'
import {randomId} from './jwt.js'
import {deviceCodeEntryPage, deviceConsentPage, deviceDonePage, deviceSignInPage} from './pages.js'
import {parseDelegatedScopes} from './scopes.js'
import type {AppRegistration, DeviceGrant, EmulatorState, User} from './state.js'

// No vowels or look-alike digits, so codes never spell words and read unambiguously aloud.
const ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ'

function newUserCode(state: EmulatorState): string {
  for (;;) {
    const chars = Array.from({length: 8}, () => ALPHABET[randomInt(ALPHABET.length)])
    const code = `${chars.slice(0, 4).join('')}-${chars.slice(4).join('')}`
    if (!state.deviceByUserCode(code)) return code
  }
}

/** POST /{tenant}/oauth2/v2.0/devicecode (RFC 8628 §3.1). */
export function handleDeviceAuthorization(ctx: Ctx, state: EmulatorState): void {
  if (ctx.req.method !== 'POST') throw errors.postOnly(ctx.req.method ?? 'GET')
  const clientId = ctx.form.get('client_id')
  if (!clientId) throw errors.missingParameter('client_id')
  const app = state.app(clientId)
  if (!app) throw errors.unknownClient(clientId)
  const scope = ctx.form.get('scope')
  if (!scope) throw errors.missingParameter('scope')
  parseDelegatedScopes(scope, state)
  // Interval and lifetime are fixed when the code is issued, as the client reads them only then.
  const {interval, expiresIn} = state.deviceBehavior
  const grant: DeviceGrant = {
    deviceCode: randomId(48),
    userCode: newUserCode(state),
    clientId: app.clientId,
    scope,
    status: 'pending',
    polls: 0,
    expiresAt: Date.now() + expiresIn * 1000,
    slowDownSent: false,
  }
  state.deviceCodes.set(grant.deviceCode, grant)
  state.noteSecrets([grant.deviceCode])
  const verificationUri = `${ctx.trace.baseUrl}/devicelogin`
  sendJson(ctx, 200, {
    user_code: grant.userCode,
    device_code: grant.deviceCode,
    verification_uri: verificationUri,
    expires_in: expiresIn,
    interval,
    message: `To sign in, use a web browser to open the page ${verificationUri} and enter the code ${grant.userCode} to authenticate.`,
  })
}

const pending = () => new EntraError(400, 'authorization_pending', 70016, 'OAuth 2.0 device flow error. Authorization is pending. Continue polling.')
const expired = () => new EntraError(400, 'expired_token', 70019, 'Verification code expired.')
const declined = () => new EntraError(400, 'authorization_declined', 70000, 'The user declined the authorization request.')

/** One poll of the device_code grant (RFC 8628 §3.4–3.5); returns the signed-in user once approved. */
export function pollDeviceCode(params: URLSearchParams, app: AppRegistration, state: EmulatorState): {user: User; scope: string} {
  const deviceCode = params.get('device_code')
  if (!deviceCode) throw errors.missingParameter('device_code')
  const grant = state.deviceCodes.get(deviceCode)
  if (!grant) throw errors.malformed('The device_code is not valid.')
  if (grant.clientId !== app.clientId) throw errors.invalidGrant(70000, 'The device code was issued to another client.')
  if (grant.status === 'redeemed') throw errors.invalidGrant(70000, 'The device code was already redeemed.')
  if (Date.now() >= grant.expiresAt) throw expired()
  // Read at every poll, so a test can hold a flow in 'manual' and release it by switching mode.
  const behavior = state.deviceBehavior
  if (behavior.slowDownOnce && !grant.slowDownSent) {
    grant.slowDownSent = true
    // Entra has no AADSTS code for slow_down; RFC 8628 defines the error alone.
    throw new EntraError(400, 'slow_down', undefined, 'Polling too frequently; increase the polling interval by 5 seconds.')
  }
  grant.polls++
  if (grant.status === 'pending' && behavior.mode !== 'manual' && grant.polls > behavior.afterPolls) {
    if (behavior.mode === 'approve') {
      grant.status = 'approved'
      grant.user = DEFAULT_USER
    } else if (behavior.mode === 'deny') {
      grant.status = 'denied'
    } else {
      grant.expiresAt = Date.now()
      throw expired()
    }
  }
  if (grant.status === 'denied') throw declined()
  if (grant.status !== 'approved' || !grant.user) throw pending()
  grant.status = 'redeemed'
  return {user: grant.user, scope: grant.scope}
}

/** GET/POST /devicelogin: enter code, sign in, approve or deny. */
export function handleDeviceLogin(ctx: Ctx, state: EmulatorState): void {
  if (ctx.req.method !== 'POST') return sendHtml(ctx, 200, deviceCodeEntryPage())
  const params = allParams(ctx)
  const grant = state.deviceByUserCode(params.get('user_code') ?? '')
  if (!grant || grant.status !== 'pending' || Date.now() >= grant.expiresAt) {
    return sendHtml(ctx, 200, deviceCodeEntryPage("That code didn't work. Check the code and try again."))
  }
  const appName = state.app(grant.clientId)?.displayName ?? grant.clientId
  const step = params.get('step')
  if (step === 'signin') {
    if (params.get('action') === 'cancel') return sendHtml(ctx, 200, deviceDonePage(false, appName))
    const username = params.get('username') ?? ''
    const user = state.users.get(username.toLowerCase())
    if (!user || params.get('password') !== user.password) {
      const error = user
        ? 'AADSTS50126: Error validating credentials due to invalid username or password.'
        : `AADSTS50034: The user account ${username} does not exist in this directory.`
      return sendHtml(ctx, 200, deviceSignInPage(grant.userCode, appName, username, error))
    }
    grant.user = user
    grant.consentTicket = randomId(24)
    return sendHtml(ctx, 200, deviceConsentPage(grant.userCode, grant.consentTicket, appName, user.username))
  }
  if (step === 'consent' && grant.consentTicket && params.get('ticket') === grant.consentTicket) {
    const approved = params.get('action') === 'approve'
    grant.status = approved ? 'approved' : 'denied'
    grant.consentTicket = undefined
    return sendHtml(ctx, 200, deviceDonePage(approved, appName))
  }
  sendHtml(ctx, 200, deviceSignInPage(grant.userCode, appName))
}
