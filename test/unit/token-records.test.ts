import assert from 'node:assert/strict'

import {recordKey} from '../../src/tokens/token-records.js'

describe('token record keys: a cached token answers only the request it was issued for', () => {
  const base = {authority: 'https://login.microsoftonline.com/t1', clientId: 'C', flow: 'client-credentials', scopes: ['api://x/.default']}
  const key = recordKey(base)

  it('ignores scope order and case, and flow aliases', () => {
    assert.equal(recordKey({...base, scopes: ['b', 'A']}), recordKey({...base, scopes: ['a', 'B']}))
    assert.equal(recordKey({...base, flow: 'ClientCredentials'}), key)
  })

  const different: Array<[string, Partial<typeof base> & {managedIdentity?: string}]> = [
    ['another flow (app token vs user token)', {flow: 'device-code'}],
    ['another tenant', {authority: 'https://login.microsoftonline.com/t2'}],
    ['another cloud', {authority: 'https://login.microsoftonline.us/t1'}],
    ['another app', {clientId: 'D'}],
    ['another scope', {scopes: ['api://y/.default']}],
    ['another managed identity', {managedIdentity: 'system'}],
  ]
  for (const [name, change] of different) it(`differs for ${name}`, () => assert.notEqual(recordKey({...base, ...change}), key))
})
