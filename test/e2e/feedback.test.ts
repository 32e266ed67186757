import assert from 'node:assert/strict'
import {setTimeout as sleep} from 'node:timers/promises'

import {API_APP_ID_URI, CLIENT_SECRET, CONFIDENTIAL_CLIENT_ID, DEFAULT_TENANT_ID, type Emulator, PUBLIC_CLIENT_ID} from '../emulator/index.js'
import {closeEmulatorSandbox, emulatorSandbox, runCli, type Sandbox} from '../helpers/cli.js'

const LOCAL = String.raw`\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d\d:\d\d`

/** What a person sees while waiting, and why a token is fetched again (stderr, no terminal). */
describe('feedback while waiting, and why a token is refreshed', function () {
  this.timeout(60_000)
  let emu: Emulator
  let box: Sandbox
  let env: Record<string, string>

  before(async () => {
    ;({box, emu, env} = await emulatorSandbox({TZ: 'Europe/Paris'}))
    const common = ['--tenant-id', DEFAULT_TENANT_ID, '--authority', emu.authority()]
    const made = [
      await runCli(['create-profile', '--name', 'dc', ...common, '--client-id', PUBLIC_CLIENT_ID, '--flow', 'device-code', '--scope', `${API_APP_ID_URI}/Data.Read`], {env}),
      await runCli(['create-profile', '--name', 'graph', ...common, '--client-id', CONFIDENTIAL_CLIENT_ID, '--flow', 'client-credentials', '--client-secret-stdin'], {env, input: CLIENT_SECRET}),
      await runCli(['create-profile', '--name', 'browser', ...common, '--client-id', PUBLIC_CLIENT_ID, '--flow', 'interactive', '--scope', `${API_APP_ID_URI}/Data.Read`], {env}),
    ]
    for (const r of made) assert.equal(r.code, 0, r.stderr)
  })

  after(() => closeEmulatorSandbox(emu, box))

  it('device code: the time left until the code expires, with the local time it ends, then success on its own line', async () => {
    emu.control.setDeviceCodeBehavior({afterPolls: 1, expiresIn: 900, interval: 1, mode: 'approve'})
    const res = await runCli(['get-token', '-p', 'dc'], {env})
    assert.equal(res.code, 0, res.stderr)
    assert.match(res.stderr, new RegExp(`And enter code: \\S+\\n⏳ Waiting for sign-in: the code expires in 1[45]:\\d\\d \\(at ${LOCAL}\\)\\n✓ Authentication successful!\\n`))
    assert.match(res.stderr, /\(at [^)]+ \+01:00\)/, 'Paris in December')
    assert.equal(res.stderr.includes('\r'), false, 'no in-place updates without a terminal')
  })

  it('device code with a shorter --timeout counts down to the timeout instead; -q shows no countdown but the code', async () => {
    emu.control.setDeviceCodeBehavior({afterPolls: 1, interval: 1, mode: 'approve'})
    const res = await runCli(['get-token', '-p', 'dc', '--force', '--timeout', '90s'], {env})
    assert.equal(res.code, 0, res.stderr)
    assert.match(res.stderr, new RegExp(`⏳ Waiting for sign-in: --timeout ends the wait in 1:[23]\\d \\(at ${LOCAL}\\)`))
    const quiet = await runCli(['get-token', '-p', 'dc', '--force', '-q'], {env})
    assert.equal(quiet.code, 0, quiet.stderr)
    assert.match(quiet.stderr, /And enter code/)
    assert.doesNotMatch(quiet.stderr, /⏳|expires in/)
  })

  it('refresh says why: too little left for --min-validity, a new scope, or an expired token', async () => {
    emu.control.setDeviceCodeBehavior({afterPolls: 1, interval: 1, mode: 'approve'})
    // A 20 s token, 6 s old: --min-validity 15 asks for more than it has left, less than its lifetime.
    emu.control.setTokenLifetime(20)
    try {
      const signedIn = await runCli(['get-token', '-p', 'dc', '--force'], {env})
      assert.equal(signedIn.code, 0, signedIn.stderr)
      await sleep(6000)
      const early = await runCli(['get-token', '-p', 'dc', '--min-validity', '15'], {env})
      assert.equal(early.code, 0, early.stderr)
      assert.match(early.stderr, /^⟳ Refreshing token: ([1-9]|1[0-4])s left, --min-validity is 15s$/m)
      assert.doesNotMatch(early.stderr, /expired/)
    } finally {
      emu.control.setTokenLifetime(3600)
    }

    const scope = await runCli(['get-token', '-p', 'dc', '--scope', `${API_APP_ID_URI}/Data.Write`], {env})
    assert.equal(scope.code, 0, scope.stderr)
    assert.match(scope.stderr, new RegExp(`^⟳ New scope: getting a token for ${API_APP_ID_URI}/Data.Write$`, 'm'))

    emu.control.setTokenLifetime(1)
    try {
      const short = await runCli(['get-token', '-p', 'dc', '--force'], {env})
      assert.equal(short.code, 0, short.stderr)
      await sleep(1500)
      const expired = await runCli(['get-token', '-p', 'dc'], {env})
      assert.equal(expired.code, 0, expired.stderr)
      assert.match(expired.stderr, /^⟳ Refreshing expired token\.\.\.$/m)
    } finally {
      emu.control.setTokenLifetime(3600)
    }

    const forced = await runCli(['refresh', '-p', 'dc'], {env})
    assert.match(forced.stderr, /^⟳ Refreshing token\.\.\.$/m)
  })

  it('a profile with no scope names the resource the token is for, fresh and from the cache', async () => {
    const fresh = await runCli(['get-token', '-p', 'graph'], {env})
    assert.equal(fresh.code, 0, fresh.stderr)
    const note = /^No scope set: the token is for https:\/\/graph\.microsoft\.com \(Microsoft Graph\); --scope, or edit-profile --scope, names another$/m
    assert.match(fresh.stderr, note)
    const cached = await runCli(['get-token', '-p', 'graph'], {env})
    assert.match(cached.stderr, /✓ Using cached token/)
    assert.match(cached.stderr, note)
    const named = await runCli(['get-token', '-p', 'graph', '--scope', `${API_APP_ID_URI}/.default`], {env})
    assert.equal(named.code, 0, named.stderr)
    assert.doesNotMatch(named.stderr, /No scope set/)
  })

  it('interactive: says how long it will wait', async () => {
    const res = await runCli(['get-token', '-p', 'browser', '--no-browser', '--timeout', '2s'], {env})
    assert.equal(res.code, 5, res.stderr)
    assert.match(res.stderr, /^⏳ Waiting for sign-in\.\.\. \(0:0[12] left; --timeout changes it\)$/m)
  })
})
