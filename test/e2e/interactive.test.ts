import assert from 'node:assert/strict'
import {existsSync, readFileSync} from 'node:fs'
import {createServer, type Server} from 'node:net'
import {join} from 'node:path'

import {API_APP_ID_URI, DEFAULT_TENANT_ID, DEFAULT_USER, type Emulator, PUBLIC_CLIENT_ID} from '../emulator/index.js'
import {type BrowserCommand, browserCommand} from '../helpers/browser-command.js'
import {closeEmulatorSandbox, emulatorSandbox, runCli, type Sandbox} from '../helpers/cli.js'

const CHROMIUM = '/usr/bin/chromium'

describe('interactive flow end to end (subprocess CLI, $BROWSER, emulator)', function () {
  this.timeout(90_000)
  let emu: Emulator
  let box: Sandbox
  let env: Record<string, string>

  before(async () => {
    ;({box, emu, env} = await emulatorSandbox())
    const created = await runCli(['create-profile', '--name', 'me', '--tenant-id', DEFAULT_TENANT_ID, '--client-id', PUBLIC_CLIENT_ID, '--authority', emu.authority(), '--flow', 'interactive', '--scope', `${API_APP_ID_URI}/Data.Read`], {env})
    assert.equal(created.code, 0, created.stderr)
  })

  let browser: BrowserCommand | undefined

  after(async () => {
    try {
      await browser?.settled()
    } finally {
      await closeEmulatorSandbox(emu, box)
    }
  })

  it('a person signs in through real headless Chromium and the token arrives on stdout', async function () {
    if (!existsSync(CHROMIUM)) this.skip()
    const resultFile = join(box.home, 'sign-in.json')
    browser = browserCommand(box.home, 'chromium-sign-in.mjs')
    const res = await runCli(['get-token', '-p', 'me', '-o', 'json'], {
      env: {...env, BROWSER: browser.path, SIGN_IN_PASSWORD: DEFAULT_USER.password, SIGN_IN_RESULT: resultFile, SIGN_IN_USER: DEFAULT_USER.username},
    })
    assert.equal(res.code, 0, res.stderr)
    const doc = JSON.parse(res.stdout)
    assert.equal(doc.account.username, DEFAULT_USER.username)
    assert.equal(doc.flow, 'interactive')
    assert.match(res.stderr, /Opening browser for authentication\.\.\.\n✓ Browser opened\n⏳ Waiting for sign-in\.\.\./)
    assert.match(res.stderr, /✓ Authentication successful!/)
    assert.match(res.stderr, /Token saved to profile 'me'/)
    const seen = await waitForJson(resultFile)
    assert.equal(seen.ok, true, seen.error)
    // Chromium was started with a one-time loopback address (no state or code_challenge on its
    // command line) that redirected it to the sign-in page.
    assert.match(seen.startUrl, /^http:\/\/localhost:\d+\/[\w-]{43}$/)
    assert.match(seen.signInUrl, /code_challenge_method=S256/)
    assert.match(seen.finalUrl, /^http:\/\/localhost:\d+\/done$/)
    assert.match(seen.heading, /Authentication successful/)

    const again = await runCli(['get-token', '-p', 'me'], {env: {...env, BROWSER: '/bin/false'}})
    assert.equal(again.code, 0, again.stderr)
    assert.equal(again.stdout.trim(), doc.access_token)
  })

  it('with no display and no BROWSER it falls back to the device code flow', async () => {
    emu.control.setDeviceCodeBehavior({afterPolls: 1, interval: 1, mode: 'approve'})
    const res = await runCli(['get-token', '-p', 'me', '--force', '-o', 'json'], {env})
    assert.equal(res.code, 0, res.stderr)
    assert.match(res.stderr, /No display detected\. Falling back to device code flow\.\nTo sign in, use a web browser to open:\n {2}https:\/\/127\.0\.0\.1:\d+\/devicelogin\nAnd enter code: [A-Z]{4}-[A-Z]{4}/)
    assert.equal(JSON.parse(res.stdout).account.username, DEFAULT_USER.username)
  })

  it('times out with exit 5 when nobody signs in, printing the URL with --no-browser', async () => {
    const res = await runCli(['get-token', '-p', 'me', '--force', '--no-browser', '--timeout', '2s'], {env: {...env, DISPLAY: ':99'}})
    assert.equal(res.code, 5, res.stderr)
    assert.match(res.stderr, /Timeout waiting for authentication callback/)
    assert.match(res.stderr, /https:\/\/127\.0\.0\.1:\d+\/[\w-]+\/oauth2\/v2\.0\/authorize\?/)
    assert.equal(res.stdout, '')
  })

  it('a busy --port exits 2 naming the port', async () => {
    const server: Server = createServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const {port} = server.address() as {port: number}
    try {
      const res = await runCli(['get-token', '-p', 'me', '--force', '--no-browser', '--port', String(port)], {env: {...env, DISPLAY: ':99'}})
      assert.equal(res.code, 2, res.stderr)
      assert.match(res.stderr, new RegExp(`Port ${port} is already in use`))
    } finally {
      server.close()
    }
  })
})

async function waitForJson(file: string): Promise<{ok: boolean; error?: string; startUrl: string; signInUrl: string; finalUrl: string; heading: string}> {
  for (let i = 0; i < 100 && !existsSync(file); i++) await new Promise((r) => setTimeout(r, 100))
  return JSON.parse(readFileSync(file, 'utf8'))
}
