import assert from 'node:assert/strict'
import {existsSync, readdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {setTimeout as delay} from 'node:timers/promises'

import {API_APP_ID_URI, CLIENT_SECRET, CONFIDENTIAL_CLIENT_ID, DEFAULT_TENANT_ID, type Emulator, PUBLIC_CLIENT_ID} from '../emulator/index.js'
import {closeEmulatorSandbox, emulatorSandbox, runCli, type Sandbox} from '../helpers/cli.js'

describe('token cache: silent reuse, refresh, concurrency (subprocess CLI against the emulator)', function () {
  this.timeout(90_000)
  let emu: Emulator
  let box: Sandbox
  let env: Record<string, string>
  const grants = (type: string) => emu.control.requests().filter((r) => r.endpoint === 'token' && r.grantType === type).length

  before(async () => {
    ;({box, emu, env} = await emulatorSandbox())
    emu.control.setDeviceCodeBehavior({afterPolls: 1, interval: 1, mode: 'approve'})
    const user = await runCli(['create-profile', '--name', 'user', '--tenant-id', DEFAULT_TENANT_ID, '--client-id', PUBLIC_CLIENT_ID, '--authority', emu.authority(), '--flow', 'device-code', '--scope', `${API_APP_ID_URI}/Data.Read`], {env})
    assert.equal(user.code, 0, user.stderr)
    const app = await runCli(['create-profile', '--name', 'app', '--tenant-id', DEFAULT_TENANT_ID, '--client-id', CONFIDENTIAL_CLIENT_ID, '--authority', emu.authority(), '--flow', 'client-credentials', '--scope', `${API_APP_ID_URI}/.default`, '--client-secret-stdin'], {env, input: CLIENT_SECRET})
    assert.equal(app.code, 0, app.stderr)
  })

  after(() => closeEmulatorSandbox(emu, box))

  it('signs in once with the device code, then serves the cached token with zero requests', async () => {
    emu.control.setTokenLifetime(60)
    const first = await runCli(['get-token', '-p', 'user', '-o', 'json'], {env})
    assert.equal(first.code, 0, first.stderr)
    const doc = JSON.parse(first.stdout)
    assert.equal(doc.account.username, 'alice@contoso.test')
    assert.match(first.stderr, /And enter code: [A-Z]{4}-[A-Z]{4}/)
    assert.equal(emu.control.requests().filter((r) => r.endpoint === 'devicecode').length, 1)

    emu.control.clearRequests()
    const cached = await runCli(['get-token', '-p', 'user', '--min-validity', '30s'], {env})
    assert.equal(cached.code, 0, cached.stderr)
    assert.equal(cached.stdout.trim(), doc.access_token)
    assert.match(cached.stderr, /✓ Using cached token/)
    assert.deepEqual(emu.control.requests(), [])
  })

  it('honours a slow_down answer while polling a device code (waits 5 s longer, then succeeds)', async () => {
    emu.control.setDeviceCodeBehavior({afterPolls: 2, interval: 1, mode: 'approve', slowDownOnce: true})
    emu.control.clearRequests()
    const started = Date.now()
    const res = await runCli(['get-token', '-p', 'user', '--force', '-o', 'json'], {env})
    assert.equal(res.code, 0, res.stderr)
    assert.ok(Date.now() - started >= 5000, `took ${Date.now() - started} ms`)
    assert.equal(JSON.parse(res.stdout).account.username, 'alice@contoso.test')
    emu.control.setDeviceCodeBehavior({afterPolls: 1, interval: 1, mode: 'approve', slowDownOnce: false})
  })

  it('refreshes a token with less than --min-validity left with exactly one refresh_token grant', async () => {
    // A token with half its (short) lifetime left is served (issue 18): make this one expire.
    emu.control.setTokenLifetime(1)
    assert.equal((await runCli(['refresh', '-p', 'user'], {env})).code, 0)
    await delay(1100)
    emu.control.clearRequests()
    emu.control.setTokenLifetime(3600)
    const res = await runCli(['get-token', '-p', 'user', '-o', 'json'], {env})
    assert.equal(res.code, 0, res.stderr)
    assert.match(res.stderr, /⟳ Refreshing expired token\.\.\.\n✓ Token refreshed/)
    assert.equal(JSON.parse(res.stdout).from_cache, false)
    assert.equal(grants('refresh_token'), 1)
    assert.equal(emu.control.requests().filter((r) => r.endpoint === 'token').length, 1)
  })

  it('ten concurrent get-token calls on an expired token cause one refresh, and all print the same token', async () => {
    emu.control.setTokenLifetime(1)
    assert.equal((await runCli(['refresh', '-p', 'user'], {env})).code, 0)
    await delay(1100)
    emu.control.setTokenLifetime(3600)
    emu.control.clearRequests()
    const results = await Promise.all(Array.from({length: 10}, () => runCli(['get-token', '-p', 'user'], {env})))
    for (const r of results) assert.equal(r.code, 0, r.stderr)
    assert.equal(new Set(results.map((r) => r.stdout)).size, 1)
    assert.equal(grants('refresh_token'), 1)
  })

  it('ten concurrent get-token calls on a cold app profile cause one token request', async () => {
    emu.control.clearRequests()
    const results = await Promise.all(Array.from({length: 10}, () => runCli(['get-token', '-p', 'app'], {env})))
    for (const r of results) assert.equal(r.code, 0, r.stderr)
    assert.equal(new Set(results.map((r) => r.stdout)).size, 1)
    assert.equal(grants('client_credentials'), 1)
  })

  it('refresh uses the refresh token for a delegated profile and a new request for an app profile', async () => {
    emu.control.clearRequests()
    const user = await runCli(['refresh', '-p', 'user', '-o', 'json'], {env})
    assert.equal(user.code, 0, user.stderr)
    const app = await runCli(['refresh', '-p', 'app', '-o', 'json'], {env})
    assert.equal(app.code, 0, app.stderr)
    assert.equal(grants('refresh_token'), 1)
    assert.equal(grants('client_credentials'), 1)
  })

  it('inspect --profile reads the cached token without printing it', async () => {
    const res = await runCli(['inspect', '--profile', 'user'], {env})
    assert.equal(res.code, 0, res.stderr)
    assert.match(res.stdout, /Audience\s+api:\/\/entratool-demo-api/)
    assert.match(res.stdout, /Scopes\s+Data.Read/)
    assert.match(res.stdout, /Signature not verified/)
    assert.doesNotMatch(res.stdout, /eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/)
  })

  it('a refused refresh exits 4 with AADSTS700082 and the sign-in command, which then works', async () => {
    emu.control.expireRefreshTokens()
    const refused = await runCli(['refresh', '-p', 'user'], {env})
    assert.equal(refused.code, 4, refused.stderr)
    assert.match(refused.stderr, /AADSTS700082/)
    assert.match(refused.stderr, /entratool get-token --flow device-code --profile user --force/)
    assert.equal(refused.stdout, '')
    const again = await runCli(['get-token', '-p', 'user', '--force'], {env})
    assert.equal(again.code, 0, again.stderr)
  })

  it('a tampered cache file is reported once, treated as empty, and replaced by the next sign-in', async () => {
    const cacheDir = join(box.configDir, 'cache')
    for (const file of readdirSync(cacheDir).filter((f) => f.startsWith('user.'))) writeFileSync(join(cacheDir, file), 'garbage')
    const res = await runCli(['get-token', '-p', 'user'], {env})
    assert.equal(res.code, 0, res.stderr)
    assert.equal(res.stderr.match(/damaged/g)?.length ?? 0, 1, res.stderr)
    assert.match(res.stderr, /And enter code/)
    const next = await runCli(['get-token', '-p', 'user'], {env})
    assert.match(next.stderr, /Using cached token/)
  })

  it('clear-cache drops tokens but keeps the profile; delete-profile removes everything', async () => {
    const cleared = await runCli(['clear-cache', '--profile', 'user'], {env})
    assert.equal(cleared.code, 0, cleared.stderr)
    assert.equal(readdirSync(join(box.configDir, 'cache')).filter((f) => f.startsWith('user.')).length, 0)
    assert.equal((await runCli(['show-profile', '--name', 'user'], {env})).code, 0)
    const refresh = await runCli(['refresh', '-p', 'user'], {env})
    assert.equal(refresh.code, 3, 'refresh never starts a sign-in')
    assert.doesNotMatch(refresh.stderr, /enter code/)
    const deleted = await runCli(['delete-profile', '--name', 'app'], {env})
    assert.equal(deleted.code, 0, deleted.stderr)
    assert.equal(existsSync(join(box.configDir, 'secrets', 'app%2Fclient-secret.enc')), false)
    assert.equal(readdirSync(join(box.configDir, 'cache')).filter((f) => f.startsWith('app.')).length, 0)
    assert.equal((await runCli(['show-profile', '--name', 'app'], {env})).code, 3)
  })
})
