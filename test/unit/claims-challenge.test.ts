import assert from 'node:assert/strict'

import {EntraToolError} from '../../src/errors.js'
import {claimsFromWwwAuthenticate, parseChallenges} from '../../src/settings/claims-challenge.js'

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64')
const CAE = {access_token: {nbf: {essential: true, value: '1604106651'}}}

describe('WWW-Authenticate claims challenges', () => {
  it('reads the Bearer challenge of a CAE 401 (Microsoft Graph shape)', () => {
    const header = `Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000", error="insufficient_claims", claims="${b64(CAE)}"`
    assert.equal(claimsFromWwwAuthenticate(header), JSON.stringify(CAE))
  })

  it('finds the Bearer challenge among others, with the header name copied along', () => {
    const header = `WWW-Authenticate: Negotiate abc==, PoP nonce="n", Bearer error="invalid_token", claims="${b64(CAE)}"`
    assert.deepEqual(
      parseChallenges(header).map((c) => c.scheme),
      ['Negotiate', 'PoP', 'Bearer'],
    )
    assert.equal(claimsFromWwwAuthenticate(header), JSON.stringify(CAE))
  })

  it('keeps escaped quotes and commas inside quoted values', () => {
    const [challenge] = parseChallenges('Bearer realm="a \\"b\\", c", error=insufficient_claims')
    assert.deepEqual(challenge.params, {error: 'insufficient_claims', realm: 'a "b", c'})
  })

  const refused: Array<[string, RegExp]> = [
    ['Bearer realm="x"', /holds no claims challenge$/],
    ['Basic realm="x"', /no Bearer challenge/],
    ['Bearer error="invalid_token"', /\(error="invalid_token"\)/],
    ['Bearer claims="abc', /unterminated/],
    [`Bearer claims="${Buffer.from('not json').toString('base64')}"`, /neither JSON nor base64/],
  ]
  for (const [header, message] of refused) {
    it(`refuses ${header} as a usage error`, () => {
      assert.throws(
        () => claimsFromWwwAuthenticate(header),
        (error: unknown) => error instanceof EntraToolError && error.kind === 'usage' && message.test(error.message),
      )
    })
  }
})
