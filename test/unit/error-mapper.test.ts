import assert from 'node:assert/strict'

import {EntraToolError} from '../../src/errors.js'
import {mapError} from '../../src/msal/error-mapper.js'
import {NetworkClient, TransportError} from '../../src/msal/network-client.js'
import {firstSentence} from '../../src/msal/oauth-error.js'

const msalError = (errorCode: string, errorMessage: string, correlationId = 'c0ffee00-0000-0000-0000-000000000000') => Object.assign(new Error(errorMessage), {correlationId, errorCode, errorMessage})

describe('MSAL errors → exit codes and next steps', () => {
  const context = {flow: 'interactive', profile: 'work'}
  const cases: Array<[string, unknown, string, RegExp | undefined]> = [
    ['wrong client secret', msalError('invalid_client', 'AADSTS7000215: Invalid client secret provided.\r\nTrace ID: x'), 'auth', /edit-profile --name work --client-secret-stdin/],
    ['refresh token expired', msalError('invalid_grant', 'AADSTS700082: The refresh token has expired due to inactivity.'), 'auth', /get-token --flow interactive --profile work --force/],
    ['MFA now required', msalError('invalid_grant', 'AADSTS50076: Due to a configuration change…'), 'auth', /multi-factor/],
    ['Conditional Access blocks device code', msalError('invalid_grant', 'AADSTS530033: blocked'), 'auth', /--flow interactive/],
    ['unknown invalid_grant', msalError('invalid_grant', 'AADSTS9999999: something'), 'auth', /--force/],
    ['server error', msalError('server_error', 'AADSTS50000: There was an error issuing a token.'), 'network', /try again/],
    ['user cancelled', msalError('user_cancelled', 'cancelled'), 'interrupted', undefined],
  ]
  for (const [name, error, kind, next] of cases) {
    it(name, () => {
      const mapped = mapError(error, context) as EntraToolError
      assert.equal(mapped.kind, kind)
      if (next) assert.match(mapped.next ?? '', next)
    })
  }

  it('keeps the AADSTS code, the correlation id and only the first sentence', () => {
    const mapped = mapError(msalError('invalid_client', 'AADSTS7000215: Invalid client secret provided. Ensure the secret being sent…\r\nTrace ID: 1'), context) as EntraToolError
    assert.equal(mapped.code, 'AADSTS7000215')
    assert.equal(mapped.correlationId, 'c0ffee00-0000-0000-0000-000000000000')
    assert.equal(mapped.message, 'Invalid client secret provided.')
  })

  it('turns a swallowed TLS failure behind endpoints_resolution_error into "cannot trust" naming ENTRATOOL_CA_FILE', () => {
    const network = new NetworkClient({timeoutMs: 1000})
    network.lastFailure = {detail: 'the certificate of 127.0.0.1:1 is not trusted (SELF_SIGNED_CERT_IN_CHAIN)', kind: 'trust', url: 'https://127.0.0.1:1/t'}
    const mapped = mapError(msalError('endpoints_resolution_error', 'Endpoints cannot be resolved'), {...context, network}) as EntraToolError
    assert.equal(mapped.kind, 'network')
    assert.match(mapped.message, /cannot trust the authority's certificate/)
    assert.match(mapped.next!, /ENTRATOOL_CA_FILE/)
  })

  it('maps transport errors to exit 7 and passes entratool errors through', () => {
    const transport = new TransportError({detail: 'cannot reach 127.0.0.1:1: ECONNREFUSED', kind: 'unreachable', url: 'https://127.0.0.1:1'})
    assert.equal((mapError(transport, context) as EntraToolError).exitCode, 7)
    const own = new EntraToolError('usage', 'x')
    assert.equal(mapError(own, context), own)
    const bug = new TypeError('boom')
    assert.equal(mapError(bug, context), bug)
  })
})

describe('firstSentence', () => {
  const cases: Array<[string, string]> = [
    ['Error(s): 7000215 - Timestamp: 2026-11-25 16:00:00Z - Description: AADSTS7000215: Invalid client secret provided. Ensure the secret being sent is correct. - Trace ID: t - Correlation ID: c - Trace ID: t', 'Invalid client secret provided.'],
    ['AADSTS700082: The refresh token has expired due to inactivity. The token was issued on x.\r\nTrace ID: t', 'The refresh token has expired due to inactivity.'],
    ['invalid_grant: AADSTS50076: Due to a configuration change made by your administrator, you must use MFA', 'Due to a configuration change made by your administrator, you must use MFA'],
  ]
  for (const [input, expected] of cases) it(expected, () => assert.equal(firstSentence(input), expected))
})
