import assert from 'node:assert/strict'
import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {setTimeout as delay} from 'node:timers/promises'

import {API_APP_ID_URI, CLIENT_SECRET, CONFIDENTIAL_CLIENT_ID, DEFAULT_TENANT_ID, type Emulator, PUBLIC_CLIENT_ID} from '../emulator/index.js'
import {closeEmulatorSandbox, emulatorSandbox, runCli, type Sandbox} from '../helpers/cli.js'
import {recordFigure} from './figures.js'

const PARALLEL = 20

describe(`concurrency: ${PARALLEL} processes at once on one config directory`, function () {
  this.timeout(180_000)
  let emu: Emulator
  let box: Sandbox
  let env: Record<string, string>
  const grants = (type: string) => emu.control.requests().filter((r) => r.endpoint === 'token' && r.grantType === type).length
  const all = async (make: (i: number) => string[], input?: string) => {
    const results = await Promise.all(Array.from({length: PARALLEL}, (_, i) => runCli(make(i), {env, input})))
    recordFigure('concurrentProcesses', PARALLEL)
    for (const r of results) assert.equal(r.code, 0, r.stderr)
    return results
  }

  before(async () => {
    ;({box, emu, env} = await emulatorSandbox())
    emu.control.setDeviceCodeBehavior({afterPolls: 0, interval: 1, mode: 'approve'})
    const app = await runCli(['create-profile', '--name', 'app', '--tenant-id', DEFAULT_TENANT_ID, '--client-id', CONFIDENTIAL_CLIENT_ID, '--authority', emu.authority(), '--flow', 'client-credentials', '--scope', `${API_APP_ID_URI}/.default`, '--client-secret-stdin'], {env, input: CLIENT_SECRET})
    assert.equal(app.code, 0, app.stderr)
    const user = await runCli(['create-profile', '--name', 'user', '--tenant-id', DEFAULT_TENANT_ID, '--client-id', PUBLIC_CLIENT_ID, '--authority', emu.authority(), '--flow', 'device-code', '--scope', `${API_APP_ID_URI}/Data.Read`], {env})
    assert.equal(user.code, 0, user.stderr)
  })

  after(() => closeEmulatorSandbox(emu, box))

  it('cold: one token request, one token for all', async () => {
    emu.control.clearRequests()
    const results = await all(() => ['get-token', '-p', 'app'])
    assert.equal(new Set(results.map((r) => r.stdout)).size, 1)
    assert.equal(grants('client_credentials'), 1)
  })

  it('warm: no request at all', async () => {
    emu.control.clearRequests()
    await all(() => ['get-token', '-p', 'app'])
    assert.deepEqual(emu.control.requests(), [])
  })

  it('expired: one refresh for all', async () => {
    // A token with half its (short) lifetime left is served (issue 18): this one expires.
    emu.control.setTokenLifetime(1)
    assert.equal((await runCli(['get-token', '-p', 'user'], {env})).code, 0)
    await delay(1100)
    emu.control.setTokenLifetime(3600)
    emu.control.clearRequests()
    const results = await all(() => ['get-token', '-p', 'user'])
    assert.equal(new Set(results.map((r) => r.stdout)).size, 1)
    assert.equal(grants('refresh_token'), 1)
  })

  it('create-profile and then edit-profile on different names: every profile present, every file parses', async () => {
    await all((i) => ['create-profile', '--name', `p${i}`, '--tenant-id', DEFAULT_TENANT_ID, '--client-id', PUBLIC_CLIENT_ID, '--flow', 'device-code', '--client-secret-stdin'], 'secret-value-for-all')
    await all((i) => ['edit-profile', '--name', `p${i}`, '--scope', `${API_APP_ID_URI}/Data.Read`, '--port', String(50_000 + i)])
    const file = JSON.parse(readFileSync(join(box.configDir, 'profiles.json'), 'utf8'))
    for (let i = 0; i < PARALLEL; i++) {
      assert.equal(file.profiles[`p${i}`]?.port, 50_000 + i, `p${i}`)
      assert.deepEqual(file.profiles[`p${i}`].scopes, [`${API_APP_ID_URI}/Data.Read`])
    }

    const listed = await runCli(['list-profiles', '-o', 'json'], {env})
    assert.equal(JSON.parse(listed.stdout).length, PARALLEL + 2)
    assert.equal(readdirSync(join(box.configDir, 'secrets')).filter((f) => f.endsWith('.tmp')).length, 0)
  })
})
