import assert from 'node:assert/strict'
import {execFile} from 'node:child_process'
import {renameSync} from 'node:fs'
import {connect, createServer, type Server} from 'node:net'
import {promisify} from 'node:util'

import {API_APP_ID_URI, CONFIDENTIAL_CLIENT_ID, DEFAULT_TENANT_ID, type Emulator, PUBLIC_CLIENT_ID} from '../emulator/index.js'
import {closeEmulatorSandbox, emulatorSandbox, runCli, type Sandbox} from '../helpers/cli.js'
import {ask, askToken, createAppProfile, type Served, serveIdentity, tokenRequests, verifyToken} from './serve.js'

const run = promisify(execFile)
const GUID = '11111111-2222-3333-4444-555555555555'

/** curl exactly as a script would call the endpoint; resolves with the HTTP status and body. */
async function curl(args: string[]): Promise<{status: number; body: string}> {
  const {stdout} = await run('curl', ['-sS', '-w', '\n%{http_code}', ...args])
  const cut = stdout.lastIndexOf('\n')
  return {body: stdout.slice(0, cut), status: Number(stdout.slice(cut + 1))}
}

describe('serve-identity: the App Service managed-identity endpoint (curl, raw HTTP)', function () {
  this.timeout(60_000)
  let emu: Emulator
  let box: Sandbox
  let env: Record<string, string>
  let served: Served

  before(async () => {
    ;({box, emu, env} = await emulatorSandbox())
    await createAppProfile(emu, env, 'app')
    const user = await runCli(['create-profile', '--name', 'work', '--tenant-id', DEFAULT_TENANT_ID, '--client-id', PUBLIC_CLIENT_ID, '--authority', emu.authority(), '--flow', 'device-code', '--scope', `${API_APP_ID_URI}/Data.Read`], {env})
    assert.equal(user.code, 0, user.stderr)
    served = await serveIdentity(['-p', 'app', '-p', 'work'], env)
  })

  after(async () => {
    if (served?.child.exitCode === null) await served.stop()
    await closeEmulatorSandbox(emu, box)
  })

  it('prints the four variables on stdout (shell exports) and a 32-byte random header', () => {
    assert.deepEqual(Object.keys(served.env), ['IDENTITY_ENDPOINT', 'IDENTITY_HEADER', 'MSI_ENDPOINT', 'MSI_SECRET'])
    assert.match(served.env.IDENTITY_ENDPOINT, /^http:\/\/127\.0\.0\.1:\d+\/msi\/token$/)
    assert.equal(served.env.MSI_ENDPOINT, served.env.IDENTITY_ENDPOINT)
    assert.equal(served.env.MSI_SECRET, served.env.IDENTITY_HEADER)
    assert.equal(Buffer.from(served.env.IDENTITY_HEADER, 'base64url').length, 32)
    assert.match(served.stderr(), /docker run --add-host=host\.docker\.internal:host-gateway -e IDENTITY_ENDPOINT=http:\/\/host\.docker\.internal:\d+\/msi\/token -e IDENTITY_HEADER/)
    assert.match(served.stderr(), /compose: /)
    assert.ok(!served.stderr().includes(served.env.IDENTITY_HEADER), 'the secret is not on stderr')
  })

  it('curl gets a token for the resource (2019-08-01): the App Service body, verified against the emulator keys', async () => {
    emu.control.clearRequests()
    const before = served.audits().length
    const res = await curl(['-H', `X-IDENTITY-HEADER: ${served.env.IDENTITY_HEADER}`, `${served.env.IDENTITY_ENDPOINT}?api-version=2019-08-01&resource=${API_APP_ID_URI}`])
    assert.equal(res.status, 200, res.body)
    const body = JSON.parse(res.body)
    assert.deepEqual(Object.keys(body).sort(), ['access_token', 'client_id', 'expires_on', 'resource', 'token_type'])
    assert.equal(body.token_type, 'Bearer')
    assert.equal(body.resource, API_APP_ID_URI)
    assert.equal(body.client_id, CONFIDENTIAL_CLIENT_ID)
    assert.match(body.expires_on, /^\d{10}$/)
    const claims = await verifyToken(emu, body.access_token, API_APP_ID_URI)
    // MSAL derives the expiry from expires_in, which may be a second off the token's exp.
    assert.ok(Math.abs(Number(body.expires_on) - claims.exp!) <= 2, `${body.expires_on} vs ${claims.exp}`)
    assert.equal(tokenRequests(emu).length, 1)
    const audit = await served.audit(before)
    assert.match(audit, /^identity: \d{4}-\d\d-\d\dT[\d:.]+Z status=200 client=127\.0\.0\.1:\d+ method=GET resource=api:\/\/entratool-demo-api profile=app from=new ms=\d+$/)
    assert.ok(!served.stderr().includes(body.access_token.split('.')[2]), 'never the token in the audit log')
  })

  it('answers the token in memory without touching the disk (the config directory moved away)', async () => {
    emu.control.clearRequests()
    renameSync(box.configDir, `${box.configDir}.away`)
    try {
      const before = served.audits().length
      const res = await askToken(served, API_APP_ID_URI)
      assert.equal(res.status, 200, res.body)
      assert.match(await served.audit(before), /from=memory/)
    } finally {
      renameSync(`${box.configDir}.away`, box.configDir)
    }

    assert.deepEqual(tokenRequests(emu), [])
  })

  it('concurrent requests for a new resource cause one token request to the emulator', async () => {
    emu.control.clearRequests()
    const resource = `api://${CONFIDENTIAL_CLIENT_ID}`
    const replies = await Promise.all(Array.from({length: 25}, () => askToken(served, resource)))
    for (const r of replies) assert.equal(r.status, 200, r.body)
    assert.equal(new Set(replies.map((r) => r.json().access_token)).size, 1)
    await verifyToken(emu, replies[0].json().access_token, resource)
    assert.equal(tokenRequests(emu).length, 1)
  })

  it('the 2017-09-01 variant: GET with the secret header, and the form POST az < 2.74 sends', async () => {
    const get = await curl(['-H', `secret: ${served.env.MSI_SECRET}`, `${served.env.MSI_ENDPOINT}?api-version=2017-09-01&resource=${API_APP_ID_URI}`])
    assert.equal(get.status, 200, get.body)
    await verifyToken(emu, JSON.parse(get.body).access_token, API_APP_ID_URI)
    // az 2.45's msrestazure in App Service: `${MSI_ENDPOINT}/?resource=…&api-version=2017-09-01`.
    const az = await curl(['-H', `secret: ${served.env.MSI_SECRET}`, `${served.env.MSI_ENDPOINT}/?resource=${API_APP_ID_URI}&api-version=2017-09-01&clientid=${CONFIDENTIAL_CLIENT_ID}`])
    assert.equal(az.status, 200, az.body)
    await verifyToken(emu, JSON.parse(az.body).access_token, API_APP_ID_URI)
    const post = await curl(['-H', `secret: ${served.env.MSI_SECRET}`, '-H', 'Metadata: true', '--data-urlencode', `resource=${API_APP_ID_URI}`, served.env.MSI_ENDPOINT])
    assert.equal(post.status, 200, post.body)
    await verifyToken(emu, JSON.parse(post.body).access_token, API_APP_ID_URI)
  })

  it('refuses a wrong or missing header (401), a web page (Origin, 403), other methods (405), without saying anything about tokens', async () => {
    const url = `${served.env.IDENTITY_ENDPOINT}?api-version=2019-08-01&resource=${API_APP_ID_URI}`
    const secret = served.env.IDENTITY_HEADER
    // Change the last character to one it is not (a fixed letter would equal it one time in 64).
    const wrongSecret = `${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`
    assert.notEqual(wrongSecret, secret)
    const wrong = await curl(['-H', `X-IDENTITY-HEADER: ${wrongSecret}`, url])
    assert.equal(wrong.status, 401)
    assert.match(JSON.parse(wrong.body).message, /header is wrong/)
    assert.equal((await curl([url])).status, 401)
    const origin = await curl(['-H', `X-IDENTITY-HEADER: ${served.env.IDENTITY_HEADER}`, '-H', 'Origin: http://127.0.0.1:9', url])
    assert.equal(origin.status, 403)
    for (const method of ['PUT', 'DELETE', 'OPTIONS', 'PATCH']) {
      const res = await curl(['-X', method, '-H', `X-IDENTITY-HEADER: ${served.env.IDENTITY_HEADER}`, url])
      assert.equal(res.status, 405, method)
    }

    // POST is the 2017 form only: not with the 2019 header.
    assert.equal((await curl(['-X', 'POST', '-H', `X-IDENTITY-HEADER: ${served.env.IDENTITY_HEADER}`, url])).status, 405)
    assert.equal((await curl(['-H', `X-IDENTITY-HEADER: ${served.env.IDENTITY_HEADER}`, `${served.env.IDENTITY_ENDPOINT.replace('/msi/token', '/other')}?resource=x`])).status, 404)
    for (const r of [wrong, origin]) assert.ok(!r.body.includes('access_token'))
  })

  it('selects profiles by client_id; an unknown identity or a bad request is a 400', async () => {
    const byId = await askToken(served, API_APP_ID_URI, `&client_id=${CONFIDENTIAL_CLIENT_ID.toUpperCase()}`)
    assert.equal(byId.status, 200, byId.body)
    assert.equal(byId.json().client_id, CONFIDENTIAL_CLIENT_ID)
    for (const extra of [`&client_id=${GUID}`, `&object_id=${GUID}`, `&principal_id=${GUID}`, '&mi_res_id=/subscriptions/x']) {
      const res = await askToken(served, API_APP_ID_URI, extra)
      assert.equal(res.status, 400, extra)
      assert.match(res.json().message, /is not served here/)
    }

    assert.equal((await askToken(served, API_APP_ID_URI, `&client_id=${GUID}&object_id=${GUID}`)).status, 400)
    const noResource = await ask(`${served.env.IDENTITY_ENDPOINT}?api-version=2019-08-01`, {headers: {'X-IDENTITY-HEADER': served.env.IDENTITY_HEADER}})
    assert.equal(noResource.status, 400)
    const twoResources = await askToken(served, API_APP_ID_URI, `&resource=${API_APP_ID_URI}`)
    assert.equal(twoResources.status, 400)
    const badVersion = await ask(`${served.env.IDENTITY_ENDPOINT}?api-version=2099-01-01&resource=x`, {headers: {'X-IDENTITY-HEADER': served.env.IDENTITY_HEADER}})
    assert.equal(badVersion.status, 400)
  })

  it('a delegated profile that needs a sign-in answers 500 whose message names the get-token to run (no browser, no prompt)', async () => {
    const res = await askToken(served, API_APP_ID_URI, `&client_id=${PUBLIC_CLIENT_ID}`)
    assert.equal(res.status, 500, res.body)
    assert.match(res.json().message, /profile 'work' needs a sign-in, and the caller allows no interaction \(a request to the identity endpoint cannot show a sign-in\); sign in once in a terminal: `entratool get-token --profile work --flow device-code`/)
    assert.deepEqual(emu.control.requests().filter((r) => r.endpoint === 'devicecode' || r.endpoint === 'authorize'), [])
  })

  it('slow or huge requests cannot block it: a stalled client is cut off, others are answered meanwhile; 431 and 413 for huge ones', async () => {
    const {hostname, port} = new URL(served.env.IDENTITY_ENDPOINT)
    const stalled = connect(Number(port), hostname)
    stalled.write('GET /msi/token?resource=x HTTP/1.1\r\nHost: x\r\n')
    let cut = ''
    stalled.on('data', (d) => (cut += d))
    const closed = new Promise<number>((resolve) => stalled.on('close', () => resolve(Date.now())))
    const started = Date.now()
    const meanwhile = await askToken(served, API_APP_ID_URI)
    assert.equal(meanwhile.status, 200)
    assert.ok(Date.now() - started < 1000)
    const closedAt = await closed
    assert.ok(closedAt - started < 8000, `stalled socket closed after ${closedAt - started} ms`)
    assert.match(cut, /^HTTP\/1\.1 408/)

    const hugeHeader = await ask(served.env.IDENTITY_ENDPOINT, {headers: {'X-Filler': 'a'.repeat(20_000), 'X-IDENTITY-HEADER': served.env.IDENTITY_HEADER}})
    assert.equal(hugeHeader.status, 431)
    const hugeBody = await ask(served.env.MSI_ENDPOINT, {body: `resource=${'a'.repeat(100_000)}`, headers: {'Content-Type': 'application/x-www-form-urlencoded', secret: served.env.MSI_SECRET}, method: 'POST'})
    assert.equal(hugeBody.status, 413)
    assert.equal((await askToken(served, API_APP_ID_URI)).status, 200)
  })

  it('SIGTERM stops it with exit code 0 and closes the port', async () => {
    const port = Number(new URL(served.env.IDENTITY_ENDPOINT).port)
    const {code, signal} = await served.stop('SIGTERM')
    assert.deepEqual({code, signal}, {code: 0, signal: null})
    await assert.rejects(ask(served.env.IDENTITY_ENDPOINT), /ECONNREFUSED/)
    assert.ok(port > 0)
  })

  describe('options', () => {
    it('-o json prints one object with the four keys; SIGINT exits 0', async () => {
      const json = await serveIdentity(['-p', 'app', '-o', 'json'], env)
      assert.deepEqual(Object.keys(JSON.parse(json.stdout)), ['IDENTITY_ENDPOINT', 'IDENTITY_HEADER', 'MSI_ENDPOINT', 'MSI_SECRET'])
      assert.equal((await askToken(json, API_APP_ID_URI)).status, 200)
      assert.equal((await json.stop('SIGINT')).code, 0)
    })

    it('--allow-resource serves only the listed resources (403 for others)', async () => {
      const limited = await serveIdentity(['-p', 'app', '--allow-resource', API_APP_ID_URI], env)
      try {
        assert.equal((await askToken(limited, API_APP_ID_URI)).status, 200)
        const other = await askToken(limited, 'https://graph.microsoft.com')
        assert.equal(other.status, 403)
        assert.match(other.json().message, /not in this server's --allow-resource list/)
      } finally {
        await limited.stop()
      }
    })

    it('every fresh start has a different secret', async () => {
      const a = await serveIdentity(['-p', 'app'], env)
      const b = await serveIdentity(['-p', 'app'], env)
      try {
        assert.notEqual(a.env.IDENTITY_HEADER, b.env.IDENTITY_HEADER)
        assert.equal((await askToken({env: {...b.env, IDENTITY_HEADER: a.env.IDENTITY_HEADER}}, API_APP_ID_URI)).status, 401)
      } finally {
        await Promise.all([a.stop(), b.stop()])
      }
    })

    it('--bind beyond loopback warns, naming the exposure (shown here on a port already taken, so nothing listens)', async () => {
      const blocker: Server = createServer()
      await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
      const {port} = blocker.address() as {port: number}
      try {
        const res = await runCli(['serve-identity', '-p', 'app', '--bind', '0.0.0.0', '--port', String(port)], {env})
        assert.match(res.stderr, /Warning: listening on 0\.0\.0\.0: any host that can reach it and learns the header gets tokens of 'app'/)
        assert.match(res.stderr, /cannot listen on 0\.0\.0\.0:\d+: the port is in use/)
        assert.equal(res.code, 2)
        assert.equal(res.stdout, '')
      } finally {
        blocker.close()
      }
    })

    it('an unknown profile exits 3 before listening', async () => {
      const res = await runCli(['serve-identity', '-p', 'ghost'], {env})
      assert.equal(res.code, 3)
      assert.match(res.stderr, /does not exist/)
      assert.equal(res.stdout, '')
    })
  })
})
