import assert from 'node:assert/strict'
import {chmodSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {API_APP_ID_URI, CLIENT_SECRET, CONFIDENTIAL_CLIENT_ID, DEFAULT_TENANT_ID, type Emulator, PUBLIC_CLIENT_ID} from '../emulator/index.js'
import {closeEmulatorSandbox, emulatorSandbox, runCli, type Sandbox} from '../helpers/cli.js'
import {badInputCases, checkRefusal} from './bad-input-cases.js'
import {recordFigure} from './figures.js'

describe('bad input: exit code, one plain error, nothing on stdout, config unchanged', function () {
  this.timeout(120_000)
  let emu: Emulator
  let box: Sandbox
  let env: Record<string, string>

  before(async () => {
    ;({box, emu, env} = await emulatorSandbox())
    const common = ['--tenant-id', DEFAULT_TENANT_ID, '--authority', emu.authority()]
    const created = await Promise.all([
      runCli(['create-profile', '--name', 'app', ...common, '--client-id', CONFIDENTIAL_CLIENT_ID, '--flow', 'client-credentials', '--scope', `${API_APP_ID_URI}/.default`, '--client-secret-stdin'], {env, input: CLIENT_SECRET}),
    ])
    const user = await runCli(['create-profile', '--name', 'work', ...common, '--client-id', PUBLIC_CLIENT_ID, '--flow', 'device-code', '--scope', `${API_APP_ID_URI}/Data.Read`], {env})
    for (const r of [...created, user]) assert.equal(r.code, 0, r.stderr)
    mkdirSync(join(box.home, 'a-directory'))
    writeFileSync(join(box.home, 'empty.jwt'), '')
    writeFileSync(join(box.home, 'huge.jwt'), 'a'.repeat(2 * 1024 * 1024))
  })

  after(() => closeEmulatorSandbox(emu, box))

  const cases = badInputCases

  let profilesBackup: Buffer
  before(() => {
    profilesBackup = readFileSync(join(box.configDir, 'profiles.json'))
  })
  afterEach(() => {
    writeFileSync(join(box.configDir, 'profiles.json'), profilesBackup)
    chmodSync(join(box.configDir, 'profiles.json'), 0o600)
  })

  after(() => recordFigure('badInputCases', cases.length))

  it('has at least 60 cases', () => assert.ok(cases.length >= 60, String(cases.length)))

  for (const c of cases) {
    it(`${c.name} → exit ${c.code}`, () => checkRefusal(c, box.configDir, box.home, (argv, options) => runCli(argv, {env: {...env, ...options.env}, input: options.input})))
  }
})
