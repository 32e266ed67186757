import assert from 'node:assert/strict'
import {chmodSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {API_APP_ID_URI, CLIENT_SECRET, CONFIDENTIAL_CLIENT_ID, DEFAULT_TENANT_ID, PUBLIC_CLIENT_ID} from '../../emulator/constants.js'
import {badInputCases, checkRefusal} from '../../hardening/bad-input-cases.js'
import {InProcessCli} from '../../helpers/in-process.js'

describe('bad input, in-process: exit code, one plain error, nothing on stdout, config unchanged', () => {
  const cli = new InProcessCli()
  const f = (name: string) => join(cli.home, name)
  let profilesBackup: Buffer

  before(async () => {
    // Nothing here reaches an authority: a loopback port nobody listens on, should anything try.
    const common = ['--tenant-id', DEFAULT_TENANT_ID, '--authority', `https://127.0.0.1:9/${DEFAULT_TENANT_ID}`]
    const app = await cli.run(['create-profile', '--name', 'app', ...common, '--client-id', CONFIDENTIAL_CLIENT_ID, '--flow', 'client-credentials', '--scope', `${API_APP_ID_URI}/.default`, '--client-secret-stdin'], {input: CLIENT_SECRET})
    const work = await cli.run(['create-profile', '--name', 'work', ...common, '--client-id', PUBLIC_CLIENT_ID, '--flow', 'device-code', '--scope', `${API_APP_ID_URI}/Data.Read`])
    for (const res of [app, work]) assert.equal(res.code, 0, res.stderr)

    mkdirSync(f('a-directory'))
    writeFileSync(f('empty.jwt'), '')
    writeFileSync(f('huge.jwt'), 'a'.repeat(2 * 1024 * 1024))
    profilesBackup = readFileSync(join(cli.configDir, 'profiles.json'))
  })

  afterEach(() => {
    writeFileSync(join(cli.configDir, 'profiles.json'), profilesBackup)
    chmodSync(join(cli.configDir, 'profiles.json'), 0o600)
  })

  after(() => cli.cleanup())

  for (const c of badInputCases.filter((c) => !c.subprocessOnly)) {
    it(`${c.name} → exit ${c.code}`, () => checkRefusal(c, cli.configDir, cli.home, (argv, {env, input}) => cli.run(argv, {env: {...cli.env, ...env}, input})))
  }
})
