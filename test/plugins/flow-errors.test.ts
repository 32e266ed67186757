import assert from 'node:assert/strict'

import {deviceCodeError} from '../../plugins/flow-device-code/src/device-code-errors.js'
import {callbackError, portError} from '../../plugins/flow-interactive/src/callback-errors.js'
import {PortUnavailableError} from '../../plugins/flow-interactive/src/loopback-binding.js'
import {parseAuthorityError} from '../../src/msal/oauth-error.js'
import {FlowError} from '../helpers/fake-flow-context.js'

const errors = {create: (kind: FlowError['kind'], message: string, details?: FlowError['details']) => new FlowError(kind, message, details), parse: parseAuthorityError}

/** The shape of MSAL's AuthError / ServerError, built here so the mapping is tested without MSAL. */
function msalError(fields: {correlationId?: string; errorCode: string; errorMessage?: string; errorNo?: string}) {
  return Object.assign(new Error(`${fields.errorCode}: ${fields.errorMessage ?? ''}`), {correlationId: 'corr-1', subError: '', ...fields})
}

describe('device code error mapping', () => {
  const table: Array<[string, ReturnType<typeof msalError>, FlowError['kind'], string]> = [
    ['declined (as MSAL reports a polling error)', msalError({errorCode: 'post_request_failed', errorMessage: 'authorization_declined'}), 'interaction', 'Sign-in was declined.'],
    ['expired on the server', msalError({errorCode: 'post_request_failed', errorMessage: 'expired_token'}), 'interaction', 'Device code has expired. Please try again.'],
    ['expired (code_expired)', msalError({errorCode: 'post_request_failed', errorMessage: 'code_expired'}), 'interaction', 'Device code has expired. Please try again.'],
    ['expired in MSAL', msalError({errorCode: 'device_code_expired'}), 'interaction', 'Device code has expired. Please try again.'],
    ['slow_down', msalError({errorCode: 'post_request_failed', errorMessage: 'slow_down'}), 'interaction', 'The server asked to slow down polling; try again.'],
    ['cancelled', msalError({errorCode: 'device_code_polling_cancelled'}), 'interrupted', 'Sign-in was interrupted.'],
    [
      'Conditional Access (ServerError)',
      msalError({errorCode: 'invalid_grant', errorMessage: 'AADSTS53003: Access has been blocked by Conditional Access policies.', errorNo: '53003'}),
      'auth',
      'A Conditional Access policy blocks the device code flow for this sign-in.',
    ],
    [
      'Conditional Access 530033 in the message only',
      msalError({errorCode: 'invalid_grant', errorMessage: 'AADSTS530033: Access has been blocked by Conditional Access policies.'}),
      'auth',
      'A Conditional Access policy blocks the device code flow for this sign-in.',
    ],
  ]

  for (const [name, error, kind, message] of table) {
    it(name, () => {
      const mapped = deviceCodeError(error, errors, 'work')
      assert.ok(mapped instanceof FlowError)
      assert.equal(mapped.kind, kind)
      assert.equal(mapped.message, message)
      assert.equal(mapped.details.correlationId, 'corr-1')
      assert.equal(mapped.details.cause, error)
    })
  }

  it('keeps the AADSTS code and points Conditional Access to the interactive flow', () => {
    const mapped = deviceCodeError(msalError({errorCode: 'invalid_grant', errorMessage: 'AADSTS53003: Blocked.', errorNo: '53003'}), errors, 'work') as FlowError
    assert.equal(mapped.details.code, 'AADSTS53003')
    assert.equal(mapped.details.next, 'Sign in with the browser instead: entratool get-token --flow interactive --profile work')
  })

  it('leaves everything else to the core', () => {
    assert.equal(deviceCodeError(msalError({errorCode: 'invalid_grant', errorMessage: 'AADSTS700016: App not found.', errorNo: '700016'}), errors, 'p'), undefined)
    assert.equal(deviceCodeError(new Error('socket hang up'), errors, 'p'), undefined)
    assert.equal(deviceCodeError('text', errors, 'p'), undefined)
  })
})

describe('interactive callback error mapping', () => {
  it('maps an identity provider error to interaction, with its AADSTS code and correlation id', () => {
    const description = 'AADSTS65004: User declined to consent to access the app.\r\nTrace ID: 1\r\nCorrelation ID: 0f0e5c2a-3b1d-4c6e-9a7f-2d8b1e4c6a90\r\nTimestamp: 2025-01-01 00:00:00Z'
    const mapped = callbackError({description, error: 'consent_required', type: 'idp-error'}, errors, 'p') as FlowError
    assert.equal(mapped.kind, 'interaction')
    assert.equal(mapped.message, 'Sign-in failed (consent_required): User declined to consent to access the app.')
    assert.equal(mapped.details.code, 'AADSTS65004')
    assert.equal(mapped.details.correlationId, '0f0e5c2a-3b1d-4c6e-9a7f-2d8b1e4c6a90')
  })

  it('maps an error without description, a state mismatch, a timeout and an interruption', () => {
    const cases: Array<[Parameters<typeof callbackError>[0], FlowError['kind'], string]> = [
      [{error: 'access_denied', type: 'idp-error'}, 'interaction', 'Sign-in failed (access_denied).'],
      [{type: 'state-mismatch'}, 'auth', 'The sign-in response did not match this request (state mismatch); nothing was exchanged.'],
      [{type: 'timeout'}, 'interaction', 'Timeout waiting for authentication callback'],
      [{type: 'aborted'}, 'interrupted', 'Sign-in was interrupted.'],
    ]
    for (const [outcome, kind, message] of cases) {
      const mapped = callbackError(outcome, errors, 'p') as FlowError
      assert.deepEqual([mapped.kind, mapped.message], [kind, message])
    }

    assert.match((callbackError({type: 'timeout'}, errors, 'p') as FlowError).details.next ?? '', /http:\/\/localhost[\s\S]*firewall[\s\S]*--port/)
  })

  it('maps port problems to usage errors with next steps', () => {
    const busy = portError(new PortUnavailableError({port: 8080}, 'busy'), errors) as FlowError
    assert.equal(busy.kind, 'usage')
    assert.equal(busy.message, 'Port 8080 is already in use')
    assert.match(busy.details.next ?? '', /--port 8081[\s\S]*omit --port[\s\S]*lsof -i :8080/)

    // Issue 18: a privileged port never suggests its privileged neighbour.
    for (const reason of ['busy', 'denied'] as const) {
      const low = portError(new PortUnavailableError({port: 80}, reason, 40_123), errors) as FlowError
      assert.doesNotMatch(low.details.next ?? '', /--port 81\b/)
      assert.match(low.details.next ?? '', /--port 40123/)
    }

    const range = portError(new PortUnavailableError({range: [8000, 8002]}, 'busy'), errors) as FlowError
    assert.deepEqual([range.kind, range.message], ['usage', 'No free port in the range 8000-8002'])
  })
})
