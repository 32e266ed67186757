import assert from 'node:assert/strict'
import {existsSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {API_APP_ID_URI, CLIENT_SECRET, CONFIDENTIAL_CLIENT_ID, DEFAULT_TENANT_ID, type Emulator, PUBLIC_CLIENT_ID} from '../emulator/index.js'
import {closeEmulatorSandbox, emulatorSandbox, runCli, type Sandbox} from '../helpers/cli.js'
import {recordFigure} from './figures.js'

describe('damaged stores and hand-edited files: a clear error, never "this is a bug"', function () {
  this.timeout(120_000)
  let emu: Emulator
  let box: Sandbox
  let env: Record<string, string>
  let cases = 0
  const profilesFile = () => join(box.configDir, 'profiles.json')

  before(async () => {
    ;({box, emu, env} = await emulatorSandbox({ENTRATOOL_STORAGE: 'file'}))
    const res = await runCli(['create-profile', '--name', 'app', '--tenant-id', DEFAULT_TENANT_ID, '--client-id', CONFIDENTIAL_CLIENT_ID, '--authority', emu.authority(), '--flow', 'client-credentials', '--scope', `${API_APP_ID_URI}/.default`, '--client-secret-stdin'], {env, input: CLIENT_SECRET})
    assert.equal(res.code, 0, res.stderr)
  })

  after(async () => {
    recordFigure('hostileCases', cases)
    await closeEmulatorSandbox(emu, box)
  })

  for (const name of ['__proto__', 'constructor', 'prototype']) {
    it(`a profile named ${name} is refused by create-profile and import-profile, and no secret is stored`, async () => {
      const before = readFileSync(profilesFile(), 'utf8')
      const secrets = readdirSync(join(box.configDir, 'secrets')).sort()
      const created = await runCli(['create-profile', '--name', name, '--tenant-id', DEFAULT_TENANT_ID, '--client-id', CONFIDENTIAL_CLIENT_ID, '--client-secret-stdin'], {env, input: 'orphan-secret'})
      assert.equal(created.code, 2, created.stderr)
      assert.match(created.stderr, /reserved/)
      const doc = {exported_at: new Date().toISOString(), format: 'entratool-profiles', profiles: [{clientId: PUBLIC_CLIENT_ID, createdAt: '2026-01-01T00:00:00.000Z', name, tenantId: DEFAULT_TENANT_ID, updatedAt: '2026-01-01T00:00:00.000Z'}], version: 1}
      const imported = await runCli(['import-profile'], {env, input: JSON.stringify(doc)})
      assert.equal(imported.code, 2, imported.stderr)
      assert.equal(readFileSync(profilesFile(), 'utf8'), before)
      assert.deepEqual(readdirSync(join(box.configDir, 'secrets')).sort(), secrets)
      cases++
    })
  }

  for (const range of [[70_000, 70_001], [-5, -1], [0, 0], [9000, 8000]]) {
    it(`a hand-edited portRange ${JSON.stringify(range)} → exit 3 naming it, not a crash`, async () => {
      const before = readFileSync(profilesFile(), 'utf8')
      const file = JSON.parse(before)
      file.profiles.app.portRange = range
      writeFileSync(profilesFile(), JSON.stringify(file))
      try {
        for (const argv of [['get-token', '-p', 'app', '--flow', 'interactive', '--force'], ['list-profiles']]) {
          const res = await runCli(argv, {env})
          assert.equal(res.code, 3, res.stderr)
          assert.match(res.stderr, /invalid port range/)
          assert.doesNotMatch(res.stderr, /this is a bug/)
        }
      } finally {
        writeFileSync(profilesFile(), before)
      }

      cases++
    })
  }

  it('profiles.json fields with control characters (an imported path with escapes) are refused', async () => {
    const doc = {exported_at: new Date().toISOString(), format: 'entratool-profiles', profiles: [{caFile: '/tmp/ca\u001B]0;pwned\u0007.pem', clientId: PUBLIC_CLIENT_ID, createdAt: '2026-01-01T00:00:00.000Z', name: 'escapes', tenantId: DEFAULT_TENANT_ID, updatedAt: '2026-01-01T00:00:00.000Z'}], version: 1}
    const res = await runCli(['import-profile', '--yes'], {env, input: JSON.stringify(doc)})
    assert.equal(res.code, 2, res.stderr)
    assert.match(res.stderr, /control characters/)
    assert.ok(!existsSync(join(box.configDir, 'secrets', 'escapes%2Fclient-secret.enc')))
    cases++
  })
})
