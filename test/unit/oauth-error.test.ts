import assert from 'node:assert/strict'

import {EntraToolError} from '../../src/errors.js'
import type {AuthorityError} from '../../src/flows/contract.js'
import {parseAuthorityError} from '../../src/msal/oauth-error.js'

const CORRELATION = '0f0e5c2a-3b1d-4c6e-9a7f-2d8b1e4c6a90'
const ENTRA_DESCRIPTION = `AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value.\r\nTrace ID: 5e1d\r\nCorrelation ID: ${CORRELATION}\r\nTimestamp: 2026-12-02 08:00:00Z`

/** MSAL's AuthError/ServerError shape, built here so the parser is tested without MSAL. */
const msal = (fields: {correlationId?: string; errorCode: string; errorMessage?: string; errorNo?: string; failure?: {detail: string}; name?: string}) =>
  Object.assign(new Error(`${fields.errorCode}: ${fields.errorMessage ?? ''}`), {name: 'ServerError', ...fields})

describe('parseAuthorityError: one parser for OAuth/Entra errors', () => {
  const cases: Array<[string, unknown, AuthorityError | undefined]> = [
    [
      'a token endpoint answer: error_codes, correlation_id, the first line and sentence of the description',
      {correlation_id: CORRELATION, error: 'invalid_client', error_codes: [7_000_215], error_description: ENTRA_DESCRIPTION},
      {code: 'AADSTS7000215', correlationId: CORRELATION, description: 'Invalid client secret provided. Ensure the secret being sent in the request is the client secret value.', error: 'invalid_client', origin: 'authority', sentence: 'Invalid client secret provided.'},
    ],
    [
      'an answer without error_codes or correlation_id: both read from the description',
      {error: 'invalid_client', error_description: ENTRA_DESCRIPTION},
      {code: 'AADSTS7000215', correlationId: CORRELATION, description: 'Invalid client secret provided. Ensure the secret being sent in the request is the client secret value.', error: 'invalid_client', origin: 'authority', sentence: 'Invalid client secret provided.'},
    ],
    [
      'error_codes that are not integers are ignored',
      {error: 'invalid_grant', error_codes: ['50076', 1.5], error_description: 'AADSTS50076: Due to a configuration change, you must use MFA.'},
      {code: 'AADSTS50076', correlationId: undefined, description: 'Due to a configuration change, you must use MFA.', error: 'invalid_grant', origin: 'authority', sentence: 'Due to a configuration change, you must use MFA.'},
    ],
    [
      "a redirect's error without a description",
      {error: 'access_denied'},
      {code: undefined, correlationId: undefined, description: '', error: 'access_denied', origin: 'authority', sentence: ''},
    ],
    [
      'a description that is not a string counts as none',
      {error: 'invalid_request', error_description: 42},
      {code: undefined, correlationId: undefined, description: '', error: 'invalid_request', origin: 'authority', sentence: ''},
    ],
    [
      "MSAL's ServerError: errorNo, its correlation id, the message's first sentence",
      msal({correlationId: 'c0ffee00-0000-0000-0000-000000000000', errorCode: 'invalid_client', errorMessage: ENTRA_DESCRIPTION, errorNo: '7000215'}),
      {code: 'AADSTS7000215', correlationId: 'c0ffee00-0000-0000-0000-000000000000', description: 'Invalid client secret provided. Ensure the secret being sent in the request is the client secret value.', error: 'invalid_client', origin: 'authority', sentence: 'Invalid client secret provided.'},
    ],
    [
      "MSAL's folded message: the description and the correlation id inside it",
      msal({errorCode: 'invalid_request', errorMessage: `Error(s): 700016 - Timestamp: 2026-12-02 08:00:00Z - Description: AADSTS700016: Application with identifier 'x' was not found. Check the id. - Trace ID: t - Correlation ID: ${CORRELATION} - Trace ID: t`}),
      {code: 'AADSTS700016', correlationId: CORRELATION, description: "Application with identifier 'x' was not found. Check the id.", error: 'invalid_request', origin: 'authority', sentence: "Application with identifier 'x' was not found."},
    ],
    [
      "an 'error:' prefix (MSAL's message form) is not part of the sentence",
      msal({errorCode: 'invalid_grant', errorMessage: 'invalid_grant: AADSTS50076: Due to a configuration change made by your administrator, you must use MFA'}),
      {code: 'AADSTS50076', correlationId: undefined, description: 'Due to a configuration change made by your administrator, you must use MFA', error: 'invalid_grant', origin: 'authority', sentence: 'Due to a configuration change made by your administrator, you must use MFA'},
    ],
    [
      "a device-code poll's answer as MSAL reports it: the server's error is the message",
      msal({correlationId: 'corr-1', errorCode: 'post_request_failed', errorMessage: 'authorization_declined '}),
      {code: undefined, correlationId: 'corr-1', description: 'authorization_declined', error: 'authorization_declined', origin: 'authority', sentence: 'authorization_declined'},
    ],
    [
      'a transport failure: what failed on the wire',
      msal({errorCode: 'network_error', errorMessage: 'cannot reach 169.254.169.254:80: ETIMEDOUT', failure: {detail: 'cannot reach 169.254.169.254:80: ETIMEDOUT'}, name: 'TransportError'}),
      {code: undefined, correlationId: undefined, description: 'cannot reach 169.254.169.254:80: ETIMEDOUT', error: 'network_error', origin: 'network', sentence: 'cannot reach 169.254.169.254:80: ETIMEDOUT'},
    ],
    [
      'a request MSAL could not make as configured',
      msal({errorCode: 'invalid_managed_identity_id_type', errorMessage: 'Invalid managed identity id type.', name: 'ManagedIdentityError'}),
      {code: undefined, correlationId: undefined, description: 'Invalid managed identity id type.', error: 'invalid_managed_identity_id_type', origin: 'configuration', sentence: 'Invalid managed identity id type.'},
    ],
    ['a plain error (a bug)', new TypeError('boom'), undefined],
    ["entratool's own error", new EntraToolError('auth', 'refused', {code: 'AADSTS50076'}), undefined],
    ['an Error with an `error` field is not an answer', Object.assign(new Error('x'), {error: 'invalid_grant'}), undefined],
    ['text', 'invalid_grant', undefined],
    ['null', null, undefined],
  ]

  for (const [name, input, expected] of cases) {
    it(name, () => assert.deepEqual(parseAuthorityError(input), expected))
  }
})
