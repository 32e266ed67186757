import assert from 'node:assert/strict'

import type {BlobStore} from '../../src/storage/storage.js'
import {TokenRecords} from '../../src/tokens/token-records.js'
import {checkTokenResult} from '../../src/tokens/token-result.js'

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
const jwt = (exp: number) => `${b64({alg: 'RS256'})}.${b64({exp})}.c2ln`

class MemoryBlobs implements BlobStore {
  readonly data = new Map<string, Buffer>()
  async delete(name: string) {
    this.data.delete(name)
  }

  async names() {
    return [...this.data.keys()]
  }

  path(name: string) {
    return name
  }

  async read(name: string) {
    return this.data.get(name)
  }

  async write(name: string, data: Buffer | string) {
    this.data.set(name, Buffer.from(data))
  }
}

describe('token records: the expiry trusted', () => {
  const now = Date.now()
  const record = (fields: Record<string, unknown>) => ({account: null, flow: 'client-credentials', key: 'k', scopes: ['s'], tenantId: 't', ...fields})
  const store = (records: unknown[]) => {
    const blobs = new MemoryBlobs()
    blobs.data.set('p.tokens', Buffer.from(JSON.stringify({records, version: 1})))
    return new TokenRecords(blobs, 'p')
  }

  it("a record whose JWT exp has passed is not served, whatever its local expiry says (a clock that jumped)", async () => {
    const records = store([record({accessToken: jwt(Math.floor(now / 1000) - 60), expiresOn: now + 3_600_000})])
    assert.equal(await records.find('k', 0, now), undefined)
    assert.ok((await records.latest())!.expiresOn <= now)
  })

  it('an opaque token keeps its local expiry', async () => {
    const records = store([record({accessToken: 'opaque', expiresOn: now + 3_600_000})])
    assert.equal((await records.find('k', 300_000, now))?.expiresOn, now + 3_600_000)
  })

  it('a lifetime shorter than --min-validity: served while half of it is left, then not', async () => {
    const records = store([record({accessToken: 'opaque', expiresOn: now + 120_000, obtainedAt: now})])
    assert.ok(await records.find('k', 300_000, now + 50_000))
    assert.equal(await records.find('k', 300_000, now + 70_000), undefined)
  })

  it('a damaged record (no token, a text expiry) is a miss, never a crash', async () => {
    const records = store([record({accessToken: null, expiresOn: now + 3_600_000}), record({accessToken: 'x', expiresOn: 'soon', key: 'k2'})])
    assert.equal(await records.find('k', 0, now), undefined)
    assert.equal(await records.find('k2', 0, now), undefined)
  })
})

describe('checkTokenResult: every token a flow hands the core', () => {
  const good = {account: null, accessToken: 'abc', expiresOn: new Date(Date.now() + 3_600_000), scopes: ['s'], tenantId: 't'}
  for (const [name, value] of [
    ['undefined', undefined],
    ['an empty token', {...good, accessToken: ''}],
    ['a numeric token', {...good, accessToken: 42}],
    ['a token with a newline', {...good, accessToken: 'a\nb'}],
  ] as const) {
    it(`refuses ${name} as a network error (exit 7)`, () => {
      assert.throws(() => checkTokenResult(value, 'test'), (error: {exitCode: number}) => error.exitCode === 7)
    })
  }

  it('clamps an absurd or invalid expiry and takes the earlier JWT exp', () => {
    const now = Date.now()
    assert.ok(checkTokenResult({...good, expiresOn: new Date(Number.NaN)}, 'test', now).expiresOn.getTime() <= now + 3_600_000)
    assert.ok(checkTokenResult({...good, expiresOn: new Date(now + 1e12)}, 'test', now).expiresOn.getTime() <= now + 86_400_000)
    const exp = Math.floor(now / 1000) + 60
    assert.equal(checkTokenResult({...good, accessToken: jwt(exp)}, 'test', now).expiresOn.getTime(), exp * 1000)
  })
})
