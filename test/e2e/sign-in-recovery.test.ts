import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {get} from 'node:http'
import {join} from 'node:path'

import {emulatorRequest} from '../emulator/http-client.js'
import {API_APP_ID_URI, DEFAULT_TENANT_ID, DEFAULT_USER, type Emulator, PUBLIC_CLIENT_ID} from '../emulator/index.js'
import {BIN, closeEmulatorSandbox, emulatorSandbox, ROOT, runCli, type Sandbox} from '../helpers/cli.js'
import {startCli} from '../helpers/live-cli.js'

/**
 * Issue 15.5-15.7 and 18.3/18.14: recovering from a refused refresh, CAE (cp1, claims challenges),
 * choosing the account, and a sign-in that does not lock other calls out of the profile.
 */
describe('sign-in recovery, CAE and the account (subprocess CLI, emulator)', function () {
  this.timeout(120_000)
  let emu: Emulator
  let box: Sandbox
  let env: Record<string, string>
  let browserEnv: Record<string, string>
  const URL_LINE = /^ {2}(https:\/\/127\.0\.0\.1:\d+\/\S+\/oauth2\/v2\.0\/authorize\?\S+)$/m

  before(async () => {
    ;({box, emu, env} = await emulatorSandbox({DISPLAY: ':99'}))
    const browser = join(box.home, 'browser.sh')
    writeFileSync(browser, `#!/bin/sh\nexec "${process.execPath}" "${join(ROOT, 'test/helpers/scripted-browser.mjs')}" "$1"\n`, {mode: 0o755})
    browserEnv = {...env, BENCH_BROWSER_CA: emu.caFile, BENCH_BROWSER_PASSWORD: DEFAULT_USER.password, BENCH_BROWSER_USER: DEFAULT_USER.username, BROWSER: browser}
    for (const [name, extra] of [['me', []], ['cae', ['--cae']]] as const) {
      const created = await runCli(['create-profile', '--name', name, '--tenant-id', DEFAULT_TENANT_ID, '--client-id', PUBLIC_CLIENT_ID, '--authority', emu.authority(), '--flow', 'interactive', '--scope', `${API_APP_ID_URI}/Data.Read`, ...extra], {env})
      assert.equal(created.code, 0, created.stderr)
    }
  })

  after(() => closeEmulatorSandbox(emu, box))

  beforeEach(() => {
    emu.control.clearFaults()
    emu.control.clearRequests()
  })

  function load(url: string): Promise<number> {
    return new Promise((resolve, reject) => {
      get(url, {agent: false}, (res) => {
        res.resume()
        res.on('end', () => resolve(res.statusCode ?? 0))
      }).on('error', reject)
    })
  }

  async function signInAt(authorizeUrl: string): Promise<void> {
    const answer = await emulatorRequest(emu, 'POST', authorizeUrl, {form: {action: 'signin', password: DEFAULT_USER.password, username: DEFAULT_USER.username}})
    assert.equal(answer.status, 302, answer.text.slice(0, 300))
    assert.equal(await load(String(answer.headers.location)), 302)
  }

  const claimsOf = (entry: {claims?: string} | undefined) => JSON.parse(entry?.claims ?? '{}') as {access_token?: {acrs?: unknown; xms_cc?: {values?: string[]}}}

  describe('CAE', () => {
    const challenge = {access_token: {acrs: {essential: true, value: 'c1'}}}
    const header = `Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", error="insufficient_claims", claims="${Buffer.from(JSON.stringify(challenge)).toString('base64')}"`

    it('--cae sends client capability cp1 on the authorize and token requests; inspect shows xms_cc', async () => {
      const res = await runCli(['get-token', '-p', 'cae', '-o', 'json'], {env: browserEnv})
      assert.equal(res.code, 0, res.stderr)
      const requests = emu.control.requests()
      const authorize = requests.find((entry) => entry.endpoint === 'authorize')
      const exchange = requests.find((entry) => entry.grantType === 'authorization_code')
      assert.deepEqual(claimsOf(authorize).access_token?.xms_cc?.values, ['cp1'])
      assert.deepEqual(claimsOf(exchange).access_token?.xms_cc?.values, ['cp1'])
      const inspected = await runCli(['inspect', '--profile', 'cae'], {env})
      assert.match(inspected.stdout, /^xms_cc {6}cp1$/m)
    })

    it('a profile without --cae asks for no client capability', async () => {
      const res = await runCli(['get-token', '-p', 'me', '--force', '-o', 'json'], {env: browserEnv})
      assert.equal(res.code, 0, res.stderr)
      // MSAL adds id_token claims of its own (login_hint, signin_state); no xms_cc.
      assert.ok(emu.control.requests().some((entry) => entry.endpoint === 'authorize'))
      assert.deepEqual(emu.control.requests().filter((entry) => claimsOf(entry).access_token?.xms_cc), [])
    })

    it('--www-authenticate takes the claims challenge and meets it with the refresh token first (cp1 kept)', async () => {
      const res = await runCli(['get-token', '-p', 'cae', '--www-authenticate', header], {env})
      assert.equal(res.code, 0, res.stderr)
      const refresh = emu.control.requests().filter((entry) => entry.grantType === 'refresh_token')
      assert.equal(refresh.length, 1, 'silent with claims, no sign-in')
      assert.deepEqual(claimsOf(refresh[0]).access_token?.acrs, {essential: true, value: 'c1'})
      assert.deepEqual(claimsOf(refresh[0]).access_token?.xms_cc?.values, ['cp1'])
      const inspected = await runCli(['inspect', '-'], {env, input: res.stdout})
      assert.match(inspected.stdout, /^acrs {8}c1$/m)
    })

    it('a challenge the refresh token cannot meet, with no one at the terminal, exits 5', async () => {
      emu.control.injectFault({code: 50076, description: 'Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access the resource.', endpoint: 'token', error: 'interaction_required', kind: 'error'})
      const res = await runCli(['get-token', '-p', 'cae', '--www-authenticate', header], {env})
      assert.equal(res.code, 5, res.stderr)
      assert.match(res.stderr, /the resource asks for a new sign-in \(claims challenge\) and no one can sign in here: .*multi-factor.*\(AADSTS50076\)/)
    })

    it('a header without claims is a usage error (exit 2)', async () => {
      const res = await runCli(['get-token', '-p', 'cae', '--www-authenticate', 'Bearer realm="x", error="invalid_token"'], {env})
      assert.equal(res.code, 2, res.stderr)
      assert.match(res.stderr, /--www-authenticate holds no claims challenge \(error="invalid_token"\)/)
    })
  })

  describe('choosing the account', () => {
    it('--login-hint and --prompt reach the authorize request', async () => {
      const cli = startCli(['get-token', '-p', 'me', '--no-browser', '--login-hint', 'bob@contoso.test', '--prompt', 'login', '--timeout', '20s'], env)
      const [, authorizeUrl] = await cli.stderrMatch(URL_LINE)
      const params = new URL(authorizeUrl).searchParams
      assert.equal(params.get('login_hint'), 'bob@contoso.test')
      assert.equal(params.get('prompt'), 'login')
      await signInAt(authorizeUrl)
      assert.equal((await cli.result).code, 0)
    })

    it('--force pre-fills the account the profile recorded', async () => {
      const cli = startCli(['get-token', '-p', 'me', '--force', '--no-browser', '--timeout', '20s'], env)
      const [, authorizeUrl] = await cli.stderrMatch(URL_LINE)
      assert.equal(new URL(authorizeUrl).searchParams.get('login_hint'), DEFAULT_USER.username)
      assert.equal(new URL(authorizeUrl).searchParams.get('prompt'), null)
      await signInAt(authorizeUrl)
      assert.equal((await cli.result).code, 0)
    })

    it('a repeat sign-in into another account than the recorded one warns (issue 18.3)', async () => {
      const file = join(box.configDir, 'profiles.json')
      const profiles = JSON.parse(readFileSync(file, 'utf8'))
      profiles.profiles.me.account = {homeAccountId: 'other-oid.other-tid', username: 'mallory@contoso.test'}
      writeFileSync(file, JSON.stringify(profiles))
      const res = await runCli(['get-token', '-p', 'me', '--force'], {env: browserEnv})
      assert.equal(res.code, 0, res.stderr)
      assert.match(res.stderr, /Warning: signed in as alice@contoso\.test, but profile 'me' was last used with mallory@contoso\.test; it now uses alice@contoso\.test/)
      const again = await runCli(['get-token', '-p', 'me', '--force'], {env: browserEnv})
      assert.doesNotMatch(again.stderr, /Warning: signed in as/)
    })
  })

  it('while a person signs in, another call for the profile refreshes at once instead of failing on the lock (issue 18.14)', async () => {
    assert.equal((await runCli(['get-token', '-p', 'me', '--force'], {env: browserEnv})).code, 0, 'an account to refresh')
    const signIn = startCli(['get-token', '-p', 'me', '--force', '--no-browser', '--timeout', '60s'], env)
    const [, authorizeUrl] = await signIn.stderrMatch(URL_LINE)
    let signedIn = false
    void signIn.result.then(() => (signedIn = true))
    const started = Date.now()
    const other = await runCli(['refresh', '-p', 'me', '-o', 'json'], {env})
    assert.equal(other.code, 0, other.stderr)
    assert.ok(Date.now() - started < 15_000, `the refresh took ${Date.now() - started} ms`)
    assert.equal(signedIn, false, 'the sign-in is still waiting for the person')
    const refreshed = JSON.parse(other.stdout).access_token

    await signInAt(authorizeUrl)
    const res = await signIn.result
    assert.equal(res.code, 0, res.stderr)
    // Both results are in the profile's cache: the newest (the sign-in) is served next.
    const served = await runCli(['get-token', '-p', 'me'], {env})
    assert.equal(served.code, 0, served.stderr)
    assert.match(served.stderr, /Using cached token/)
    assert.notEqual(served.stdout.trim(), refreshed)
    const again = await runCli(['refresh', '-p', 'me'], {env})
    assert.equal(again.code, 0, again.stderr)
  })

  describe('a refused refresh', () => {
    // A scope never fetched: no cached token serves it, so the refresh token is used.
    const OTHER_SCOPE = `${API_APP_ID_URI}/Data.Write`

    it('in a script (no terminal) exits 4 naming the command, as before', async () => {
      assert.equal((await runCli(['get-token', '-p', 'me', '--force'], {env: browserEnv})).code, 0)
      emu.control.expireRefreshTokens()
      const res = await runCli(['get-token', '-p', 'me', '--scope', OTHER_SCOPE], {env: browserEnv})
      assert.equal(res.code, 4, res.stderr)
      assert.match(res.stderr, /\[AADSTS700082/)
      assert.match(res.stderr, /--force/)
    })

    it('on a terminal (tmux) signs in again in the same call with a one-line reason', async function () {
      if (spawnSync('tmux', ['-V']).status !== 0) this.skip()
      // A fresh account whose refresh token is then revoked.
      assert.equal((await runCli(['get-token', '-p', 'me', '--force'], {env: browserEnv})).code, 0)
      emu.control.expireRefreshTokens()
      const out = join(box.home, 'tmux-token')
      const exitFile = join(box.home, 'tmux-exit')
      const session = `entratool-resign-${process.pid}`
      const envs = Object.entries({...browserEnv, NO_COLOR: '1'}).map(([k, v]) => `${k}='${v}'`).join(' ')
      spawnSync('tmux', ['new-session', '-d', '-s', session, '-x', '200', '-y', '50', `env -i ${envs} ${process.execPath} ${BIN} get-token -p me --scope ${OTHER_SCOPE} > ${out}; echo $? > ${exitFile}; sleep 30`])
      try {
        for (let i = 0; i < 600 && !existsSync(exitFile); i++) await new Promise((r) => setTimeout(r, 100))
        const screen = spawnSync('tmux', ['capture-pane', '-pt', session, '-S', '-50']).stdout.toString()
        assert.equal(readFileSync(exitFile, 'utf8').trim(), '0', screen)
        assert.match(screen, /Signing in again: The refresh token has expired due to inactivity\. \(AADSTS700082\)/)
        assert.match(screen, /Authentication successful!/)
        assert.match(readFileSync(out, 'utf8'), /^ey[\w-]+\.[\w-]+\.[\w-]+\n?$/)
        assert.ok(emu.control.requests().some((entry) => entry.grantType === 'authorization_code'), 'a new sign-in happened')
      } finally {
        spawnSync('tmux', ['kill-session', '-t', session])
      }
    })
  })
})
