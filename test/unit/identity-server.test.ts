import assert from 'node:assert/strict'

import {IDENTITY_PATH, isRefusal, newSecret, parseTokenAsk, type RawRequest, sameSecret, scopeFor} from '../../src/identity-server/protocol.js'
import {TokenMemory} from '../../src/identity-server/token-memory.js'
import {splitExecArgv} from '../../src/lib/exec-argv.js'

const SECRET = newSecret()
const req = (over: Partial<RawRequest> & {query?: string} = {}): RawRequest => ({
  body: '',
  headers: {'x-identity-header': SECRET},
  method: 'GET',
  url: `${IDENTITY_PATH}?${over.query ?? 'api-version=2019-08-01&resource=api://x'}`,
  ...over,
})
const status = (r: RawRequest) => {
  const ask = parseTokenAsk(r, SECRET)
  return isRefusal(ask) ? ask.status : 200
}

describe('identity protocol: parseTokenAsk', () => {
  const cases: [string, RawRequest, number][] = [
    ['2019-08-01 GET', req(), 200],
    ['2017-09-01 GET with secret', req({headers: {secret: SECRET}, query: 'api-version=2017-09-01&resource=api://x'}), 200],
    ['2017 form POST', req({body: 'resource=api%3A%2F%2Fx', headers: {'content-type': 'application/x-www-form-urlencoded', secret: SECRET}, method: 'POST', url: IDENTITY_PATH}), 200],
    ['POST with the 2019 header', req({method: 'POST'}), 405],
    ['POST asking api-version 2019', req({headers: {secret: SECRET}, method: 'POST', query: 'api-version=2019-08-01&resource=x'}), 405],
    ['POST with a JSON body', req({body: '{"resource":"x"}', headers: {'content-type': 'application/json', secret: SECRET}, method: 'POST', url: IDENTITY_PATH}), 400],
    ['PUT', req({method: 'PUT'}), 405],
    ['another path', req({url: '/other?resource=x'}), 404],
    ['a path below it', req({url: `${IDENTITY_PATH}/x?resource=x`}), 404],
    // az < 2.74's App Service request, as msrestazure builds it: `${MSI_ENDPOINT}/?resource=…&api-version=2017-09-01`, header `secret`.
    ['az 2.45 (msrestazure) App Service GET', req({headers: {secret: SECRET}, url: `${IDENTITY_PATH}/?resource=https://management.core.windows.net/&api-version=2017-09-01`}), 200],
    ['Origin header', req({headers: {'x-identity-header': SECRET, origin: 'https://evil.example'}}), 403],
    ['Origin checked before the secret', req({headers: {origin: 'null'}}), 403],
    ['no header', req({headers: {}}), 401],
    ['wrong header', req({headers: {'x-identity-header': `${SECRET}x`}}), 401],
    ['empty header', req({headers: {'x-identity-header': ''}}), 401],
    ['wrong secret is 401 before a bad api-version', req({headers: {'x-identity-header': 'no'}, query: 'api-version=1&resource=x'}), 401],
    ['unknown api-version', req({query: 'api-version=2018-02-01&resource=x'}), 400],
    ['no resource', req({query: 'api-version=2019-08-01'}), 400],
    ['empty resource', req({query: 'api-version=2019-08-01&resource='}), 400],
    ['two resources', req({query: 'resource=a&resource=b'}), 400],
    ['two scopes in one resource', req({query: 'resource=a%20b'}), 400],
    ['huge resource', req({query: `resource=${'a'.repeat(1025)}`}), 400],
    ['two identity selectors', req({query: 'resource=x&client_id=a&object_id=b'}), 400],
    ['no api-version (lenient, as az < 2.74)', req({query: 'resource=x'}), 200],
  ]
  for (const [name, request, expected] of cases) it(`${name} → ${expected}`, () => assert.equal(status(request), expected))

  it('returns the resource and the selector', () => {
    assert.deepEqual(parseTokenAsk(req({query: 'resource=https://management.azure.com/&client_id=abc'}), SECRET), {resource: 'https://management.azure.com/', selector: {kind: 'client_id', value: 'abc'}})
    assert.deepEqual(parseTokenAsk(req({query: 'resource=x&mi_res_id=/sub/x'}), SECRET), {resource: 'x', selector: {kind: 'mi_res_id', value: '/sub/x'}})
    assert.deepEqual(parseTokenAsk(req({headers: {secret: SECRET}, query: 'resource=x&api-version=2017-09-01&clientid=abc'}), SECRET), {resource: 'x', selector: {kind: 'client_id', value: 'abc'}})
  })

  it('secrets: 32 random bytes, compared whatever their length', () => {
    assert.equal(Buffer.from(newSecret(), 'base64url').length, 32)
    assert.notEqual(newSecret(), newSecret())
    assert.ok(sameSecret(SECRET, SECRET))
    assert.ok(!sameSecret(SECRET.slice(0, -1), SECRET))
    assert.ok(!sameSecret('', SECRET))
  })

  it('scopeFor keeps a trailing slash (…//.default, as Entra wants for such resources) and an existing .default', () => {
    assert.equal(scopeFor('api://x'), 'api://x/.default')
    assert.equal(scopeFor('https://management.azure.com/'), 'https://management.azure.com//.default')
    assert.equal(scopeFor('api://x/.default'), 'api://x/.default')
  })
})

describe('identity TokenMemory', () => {
  const token = (id: string, expiresAt: number) => ({accessToken: id, expiresOn: new Date(expiresAt)})

  it('one fetch for concurrent callers of a key; another key fetches on its own', async () => {
    const memory = new TokenMemory(300_000, () => 0)
    let fetches = 0
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    const fetch = async () => {
      const id = `t${++fetches}`
      await gate
      return {fromCache: false, token: token(id, 3_600_000)}
    }
    const all = Array.from({length: 10}, () => memory.get('a', fetch))
    const other = memory.get('b', fetch)
    release()
    const results = await Promise.all([...all, other])
    assert.equal(fetches, 2)
    assert.deepEqual(new Set(results.slice(0, 10).map((r) => r.token.accessToken)), new Set(['t1']))
    assert.equal(results[10].token.accessToken, 't2')
    assert.equal((await memory.get('a', fetch)).origin, 'memory')
    assert.equal(fetches, 2)
  })

  it('serves a token until --min-validity is left, or half its lifetime when that is shorter', async () => {
    let now = 0
    const memory = new TokenMemory(300_000, () => now)
    let n = 0
    const fetch = async () => ({fromCache: false, token: token(`t${++n}`, now + 3_600_000)})
    assert.equal((await memory.get('k', fetch)).token.accessToken, 't1')
    now = 3_600_000 - 300_001
    assert.equal((await memory.get('k', fetch)).origin, 'memory')
    now = 3_600_000 - 299_999
    assert.equal((await memory.get('k', fetch)).token.accessToken, 't2')

    const short = new TokenMemory(300_000, () => now)
    const start = now
    const shortFetch = async () => ({fromCache: true, token: token(`s${++n}`, start + 60_000)})
    assert.equal((await short.get('k', shortFetch)).origin, 'cache')
    now = start + 29_000
    assert.equal((await short.get('k', shortFetch)).origin, 'memory')
    now = start + 31_000
    assert.notEqual((await short.get('k', shortFetch)).origin, 'memory')
  })

  it('a failed fetch is not remembered: the next caller tries again', async () => {
    const memory = new TokenMemory(1000, () => 0)
    await assert.rejects(memory.get('k', async () => Promise.reject(new Error('down'))), /down/)
    assert.equal((await memory.get('k', async () => ({fromCache: false, token: token('ok', 3_600_000)}))).token.accessToken, 'ok')
  })
})

describe('exec argv: entratool flags, then the program', () => {
  const own = ['-p', '--profile', '-s', '--scope', '--min-validity']
  const cases: [string[], string[], string[]][] = [
    [['-p', 'ci', '--', 'terraform', 'plan'], ['-p', 'ci'], ['terraform', 'plan']],
    [['-p', 'ci', 'terraform', 'plan', '-p', 'x'], ['-p', 'ci'], ['terraform', 'plan', '-p', 'x']],
    [['--profile=ci', 'node', '-e', '1'], ['--profile=ci'], ['node', '-e', '1']],
    [['--debug', '-s', 'a', '-s', 'b', 'sh'], ['--debug', '-s', 'a', '-s', 'b'], ['sh']],
    [['-p', 'ci'], ['-p', 'ci'], []],
    [['--', '--odd-name'], [], ['--odd-name']],
    [['-p', 'ci', '--', '--', 'x'], ['-p', 'ci'], ['--', 'x']],
  ]
  for (const [argv, expectedOwn, command] of cases) {
    it(argv.join(' '), () => assert.deepEqual(splitExecArgv(argv, own), {command, own: expectedOwn}))
  }
})
