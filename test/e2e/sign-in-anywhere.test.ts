import assert from 'node:assert/strict'
import {readFileSync, writeFileSync} from 'node:fs'
import {get} from 'node:http'
import {join} from 'node:path'

import {emulatorRequest} from '../emulator/http-client.js'
import {API_APP_ID_URI, DEFAULT_TENANT_ID, DEFAULT_USER, type Emulator, PUBLIC_CLIENT_ID} from '../emulator/index.js'
import {closeEmulatorSandbox, emulatorSandbox, ROOT, runCli, type Sandbox} from '../helpers/cli.js'
import {startCli} from '../helpers/live-cli.js'

/**
 * Issue 15 (sign in from anywhere) and 18.3/18.12: the paste-back redirect, remote-session hints,
 * a browser launch that tells the truth, and what a started browser can see. The test plays the
 * person and the browser with plain HTTP against the emulator.
 */
describe('sign in from anywhere (subprocess CLI, emulator)', function () {
  this.timeout(90_000)
  let emu: Emulator
  let box: Sandbox
  let env: Record<string, string>
  const URL_LINE = /^ {2}(https:\/\/127\.0\.0\.1:\d+\/\S+\/oauth2\/v2\.0\/authorize\?\S+)$/m

  before(async () => {
    // DISPLAY: a desktop, so the interactive flow does not fall back to device code.
    ;({box, emu, env} = await emulatorSandbox({DISPLAY: ':99'}))
    const created = await runCli(['create-profile', '--name', 'me', '--tenant-id', DEFAULT_TENANT_ID, '--client-id', PUBLIC_CLIENT_ID, '--authority', emu.authority(), '--flow', 'interactive', '--scope', `${API_APP_ID_URI}/Data.Read`], {env})
    assert.equal(created.code, 0, created.stderr)
  })

  after(() => closeEmulatorSandbox(emu, box))

  beforeEach(() => {
    emu.control.clearFaults()
    emu.control.clearRequests()
  })

  /** The person signs in at the authorize URL; returns where the emulator redirects the browser. */
  async function signInAt(authorizeUrl: string, action: 'cancel' | 'signin' = 'signin'): Promise<string> {
    const form: Record<string, string> = action === 'cancel' ? {action} : {action, password: DEFAULT_USER.password, username: DEFAULT_USER.username}
    const answer = await emulatorRequest(emu, 'POST', authorizeUrl, {form})
    assert.equal(answer.status, 302, answer.text.slice(0, 300))
    return String(answer.headers.location)
  }

  function load(url: string): Promise<{body: string; location?: string; status: number}> {
    return new Promise((resolve, reject) => {
      get(url, {agent: false}, (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => (body += chunk))
        res.on('end', () => resolve({body, location: res.headers.location, status: res.statusCode ?? 0}))
      }).on('error', reject)
    })
  }

  describe('--paste-redirect', () => {
    it('signs in with the address pasted on stdin: no listener, state checked, the code redeemed with the PKCE verifier', async () => {
      const cli = startCli(['get-token', '-p', 'me', '--force', '--paste-redirect', '--no-browser', '-o', 'json'], env)
      const [, authorizeUrl] = await cli.stderrMatch(URL_LINE)
      const params = new URL(authorizeUrl).searchParams
      assert.equal(params.get('redirect_uri'), 'http://localhost:8400/')
      assert.equal(params.get('code_challenge_method'), 'S256')
      const landed = await signInAt(authorizeUrl)
      assert.match(landed, /^http:\/\/localhost:8400\/\?code=/)
      await assert.rejects(load(landed), 'nothing listens on the redirect port')
      cli.end(`${landed}\n`)
      const res = await cli.result
      assert.equal(res.code, 0, res.stderr)
      assert.equal(JSON.parse(res.stdout).account.username, DEFAULT_USER.username)
      assert.match(res.stderr, /Copy that whole address from the address bar and paste it here\./)
      assert.ok(!res.stderr.includes(new URL(landed).searchParams.get('code')!), 'the code is not echoed')
      const exchange = emu.control.requests().find((entry) => entry.grantType === 'authorization_code')
      assert.equal(exchange?.status, 200)
    })

    it('a profile setting makes it the default for the interactive flow', async () => {
      assert.equal((await runCli(['edit-profile', '--name', 'me', '--paste-redirect'], {env})).code, 0)
      try {
        const cli = startCli(['get-token', '-p', 'me', '--force', '--no-browser'], env)
        const [, authorizeUrl] = await cli.stderrMatch(URL_LINE)
        cli.end(`${await signInAt(authorizeUrl)}\n`)
        const res = await cli.result
        assert.equal(res.code, 0, res.stderr)
        assert.match(res.stderr, /paste it here/)
      } finally {
        assert.equal((await runCli(['edit-profile', '--name', 'me', '--no-paste-redirect'], {env})).code, 0)
      }
    })

    it('a tampered state exits 4 and exchanges nothing', async () => {
      const cli = startCli(['get-token', '-p', 'me', '--force', '--paste-redirect', '--no-browser'], env)
      const [, authorizeUrl] = await cli.stderrMatch(URL_LINE)
      const landed = new URL(await signInAt(authorizeUrl))
      landed.searchParams.set('state', 'forged')
      cli.end(`${landed}\n`)
      const res = await cli.result
      assert.equal(res.code, 4, res.stderr)
      assert.match(res.stderr, /state mismatch/)
      assert.equal(emu.control.requests().filter((entry) => entry.grantType === 'authorization_code').length, 0)
    })

    it('an error= redirect (the person cancelled) exits 5 with the AADSTS code', async () => {
      const cli = startCli(['get-token', '-p', 'me', '--force', '--paste-redirect', '--no-browser'], env)
      const [, authorizeUrl] = await cli.stderrMatch(URL_LINE)
      cli.end(`${await signInAt(authorizeUrl, 'cancel')}\n`)
      const res = await cli.result
      assert.equal(res.code, 5, res.stderr)
      assert.match(res.stderr, /Sign-in failed \(access_denied\): .*\[AADSTS65004/)
    })

    const garbled: Array<[string, string, RegExp]> = [
      ['nothing', '', /nothing was pasted/],
      ['another address', 'https://example.com/?code=x&state=y', /not the address the sign-in redirected to \(http:\/\/localhost:8400\/\?code=…\)/],
      ['an address cut before the code', 'http://localhost:8400/', /neither a code nor an error/],
      ['text that is no address', 'http://[::1', /not an address/],
    ]
    for (const [name, pasted, reason] of garbled) {
      it(`a garbled paste (${name}) exits 2 saying why`, async () => {
        const cli = startCli(['get-token', '-p', 'me', '--force', '--paste-redirect', '--no-browser'], env)
        await cli.stderrMatch(URL_LINE)
        cli.end(pasted ? `${pasted}\n` : '')
        const res = await cli.result
        assert.equal(res.code, 2, res.stderr)
        assert.match(res.stderr, /Error: The pasted text is not the sign-in redirect: /)
        assert.match(res.stderr, reason)
      })
    }
  })

  describe('remote sessions', () => {
    const ssh = {SSH_CONNECTION: '203.0.113.7 50022 198.51.100.4 22', USER: 'alice'}

    it('over SSH without a display: says so, prints the ssh -L line and --paste-redirect, then falls back to device code', async () => {
      emu.control.setDeviceCodeBehavior({afterPolls: 1, interval: 1, mode: 'approve'})
      const {DISPLAY: _display, ...noDisplay} = env
      const res = await runCli(['get-token', '-p', 'me', '--force'], {env: {...noDisplay, ...ssh}})
      assert.equal(res.code, 0, res.stderr)
      assert.match(res.stderr, /No browser can be opened from an SSH session\./)
      assert.match(res.stderr, /forward the sign-in port, then add --no-browser: ssh -L 8400:localhost:8400 alice@198\.51\.100\.4\n/)
      assert.match(res.stderr, /--paste-redirect/)
      assert.match(res.stderr, /Falling back to device code flow\.\nTo sign in, use a web browser to open:/)
    })

    it('in a Codespace the forwarding line is gh codespace ports forward', async () => {
      emu.control.setDeviceCodeBehavior({afterPolls: 1, interval: 1, mode: 'approve'})
      const {DISPLAY: _display, ...noDisplay} = env
      const res = await runCli(['get-token', '-p', 'me', '--force'], {env: {...noDisplay, CODESPACE_NAME: 'fuzzy-space-8q4', CODESPACES: 'true'}})
      assert.equal(res.code, 0, res.stderr)
      assert.match(res.stderr, /gh codespace ports forward 8400:8400 -c fuzzy-space-8q4/)
    })

    it('over SSH with --no-browser the sign-in listens on the fixed port of the ssh -L line', async () => {
      const {DISPLAY: _display, ...noDisplay} = env
      const cli = startCli(['get-token', '-p', 'me', '--force', '--no-browser'], {...noDisplay, ...ssh})
      const [, authorizeUrl] = await cli.stderrMatch(URL_LINE)
      assert.match(cli.stderr, /Sign-in callback on port 8400; from your computer forward it with: ssh -L 8400:localhost:8400 alice@198\.51\.100\.4/)
      assert.equal(new URL(authorizeUrl).searchParams.get('redirect_uri'), 'http://localhost:8400/')
      // The browser on the person's computer reaches the port through the tunnel.
      const landed = await signInAt(authorizeUrl)
      assert.equal((await load(landed)).status, 302)
      const res = await cli.result
      assert.equal(res.code, 0, res.stderr)
    })
  })

  describe('the browser', () => {
    it('a BROWSER that fails (chromium without a display) is reported, the URL is printed, and the callback still completes the sign-in', async () => {
      const failing = join(box.home, 'no-display-browser.sh')
      writeFileSync(failing, '#!/bin/sh\necho "Missing X server or $DISPLAY" >&2\nexit 1\n', {mode: 0o755})
      const cli = startCli(['get-token', '-p', 'me', '--force'], {...env, BROWSER: failing})
      const [, authorizeUrl] = await cli.stderrMatch(URL_LINE)
      assert.match(cli.stderr, new RegExp(`Warning: Could not open a browser: ${failing} exited with code 1\\.\\nOpen this URL in a browser to sign in:`))
      assert.doesNotMatch(cli.stderr, /Browser opened/)
      const landed = await signInAt(authorizeUrl)
      assert.equal((await load(landed)).status, 302)
      const res = await cli.result
      assert.equal(res.code, 0, res.stderr)
    })

    it('BROWSER=true (exits 0 at once) is not taken as proof: the URL is printed', async () => {
      const cli = startCli(['get-token', '-p', 'me', '--force', '--timeout', '20s'], {...env, BROWSER: 'true'})
      const [, authorizeUrl] = await cli.stderrMatch(URL_LINE)
      assert.match(cli.stderr, /If no browser window appeared, open this URL to sign in:/)
      await load(await signInAt(authorizeUrl))
      assert.equal((await cli.result).code, 0)
    })

    it('the started browser sees no state or code_challenge on its command line and no secret in its environment', async () => {
      const record = join(box.home, 'browser-seen')
      const browser = join(box.home, 'recording-browser.sh')
      writeFileSync(browser, `#!/bin/sh\nprintf '%s\\n' "$@" > '${record}.argv'\nenv > '${record}.env'\nexec "${process.execPath}" "${join(ROOT, 'test/helpers/scripted-browser.mjs')}" "$1"\n`, {mode: 0o755})
      const secrets = {AZURE_CLIENT_SECRET: 'azure-secret-value', AZURE_PASSWORD: 'azure-password-value', ENTRATOOL_CLIENT_SECRET: 'entratool-secret-value', ENTRATOOL_EXPORT_PASSPHRASE: 'export-passphrase-value'}
      const res = await runCli(['get-token', '-p', 'me', '--force'], {
        env: {...env, ...secrets, BENCH_BROWSER_CA: emu.caFile, BENCH_BROWSER_PASSWORD: DEFAULT_USER.password, BENCH_BROWSER_USER: DEFAULT_USER.username, BROWSER: browser},
      })
      assert.equal(res.code, 0, res.stderr)
      const argv = readFileSync(`${record}.argv`, 'utf8').trim()
      assert.match(argv, /^http:\/\/localhost:\d+\/[\w-]{43}$/)
      assert.doesNotMatch(argv, /state|code_challenge|authorize/)
      const seen = readFileSync(`${record}.env`, 'utf8')
      for (const [name, value] of Object.entries(secrets)) {
        assert.ok(!seen.includes(value), `${name} reached the browser`)
      }

      assert.match(seen, /^BENCH_BROWSER_USER=/m)
    })
  })
})
