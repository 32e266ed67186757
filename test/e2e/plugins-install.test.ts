import {createLocalJWKSet, jwtVerify} from 'jose'
import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {cpSync, existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {emulatorRequest} from '../emulator/http-client.js'
import {API_APP_ID_URI, CLIENT_SECRET, CONFIDENTIAL_CLIENT_ID, DEFAULT_TENANT_ID, type Emulator, startEmulator} from '../emulator/index.js'
import {closeEmulatorSandbox, runCli, sandbox, type Sandbox} from '../helpers/cli.js'
import {exampleBuild} from '../helpers/example-plugin.js'

/** The example plugin, built as docs/plugins.md says (against the packed core). */
let EXAMPLE: string

/** `npm pack` of a plugin folder into `dest`, offline; returns the tarball's path. */
function pack(dir: string, dest: string, env: Record<string, string>): string {
  const name = execFileSync('npm', ['pack', '--pack-destination', dest, '--silent'], {cwd: dir, encoding: 'utf8', env}).trim().split('\n').pop()!
  return join(dest, name)
}

describe('installable flow plugins (entratool plugins install, offline, from a tarball)', () => {
  let emu: Emulator
  let box: Sandbox
  let env: Record<string, string>
  let exampleTarball: string
  let futureTarball: string

  before(function () {
    // Packs the core and builds the example against it, as a plugin author would.
    this.timeout(180_000)
    EXAMPLE = exampleBuild().dir
  })

  before(async () => {
    assert.ok(existsSync(join(EXAMPLE, 'dist', 'hooks', 'flows.js')), 'build first: npm run build')
    emu = await startEmulator()
    box = sandbox()
    // No registry is reachable: npm must work from the tarball alone.
    env = {...box.env, ENTRATOOL_CA_FILE: emu.caFile, npm_config_cache: join(box.home, 'npm-cache'), npm_config_offline: 'true', npm_config_registry: 'http://127.0.0.1:9/', npm_config_update_notifier: 'false'}
    const packs = join(box.home, 'packs')
    mkdirSync(packs)
    exampleTarball = pack(EXAMPLE, packs, env)

    // The same plugin as if built against a future core: another package, contract version 999.
    const future = join(box.home, 'future-plugin')
    cpSync(join(EXAMPLE, 'dist'), join(future, 'dist'), {recursive: true})
    const pjson = JSON.parse(readFileSync(join(EXAMPLE, 'package.json'), 'utf8'))
    writeFileSync(join(future, 'package.json'), JSON.stringify({...pjson, name: 'entratool-flow-future'}))
    const hook = join(future, 'dist', 'hooks', 'flows.js')
    writeFileSync(hook, readFileSync(hook, 'utf8').replace('contractVersion: 1', 'contractVersion: 999').replace("'client-secret-example'", "'future-flow'"))
    futureTarball = pack(future, packs, env)
  })

  after(() => closeEmulatorSandbox(emu, box))

  const dataDir = () => join(box.env.XDG_DATA_HOME, 'entratool')
  const flowsDoc = async () => {
    const res = await runCli(['flows', '-o', 'json'], {env})
    assert.equal(res.code, 0, res.stderr)
    return JSON.parse(res.stdout) as {flows: {id: string; plugin: string}[]; problems: {plugin: string; problem: string}[]}
  }

  it('installs the example plugin from a tarball path into the data directory', async () => {
    const res = await runCli(['plugins', 'install', exampleTarball], {env, timeoutMs: 120_000})
    assert.equal(res.code, 0, res.stderr)
    assert.match(res.stderr, /installed v1\.0\.0/)
    const installed = JSON.parse(readFileSync(join(dataDir(), 'package.json'), 'utf8'))
    assert.deepEqual(installed.oclif.plugins.map((p: {name: string}) => p.name), ['entratool-flow-example'])
    assert.ok(existsSync(join(dataDir(), 'node_modules', 'entratool-flow-example', 'dist', 'client-secret-flow.js')))
  })

  it('`flows`, `plugins`, --help and completion see the new flow at once', async () => {
    const doc = await flowsDoc()
    assert.equal(doc.flows.find((f) => f.id === 'client-secret-example')?.plugin, 'entratool-flow-example')
    assert.deepEqual(doc.problems, [])
    const plugins = await runCli(['plugins'], {env})
    assert.match(plugins.stdout, /entratool-flow-example 1\.0\.0/)
    const help = await runCli(['get-token', '--help'], {env})
    assert.match(help.stdout.replaceAll(/\s+/g, ' '), /Installed: client-credentials, client-secret-example, device-code/)
    const complete = await runCli(['__complete', 'flows'], {env})
    assert.ok(complete.stdout.split('\n').includes('client-secret-example'), complete.stdout)
  })

  it('gets a token from the emulator through the installed flow', async () => {
    const created = await runCli(
      ['create-profile', '--name', 'example', '--tenant-id', DEFAULT_TENANT_ID, '--client-id', CONFIDENTIAL_CLIENT_ID, '--authority', emu.authority(), '--flow', 'client-secret-example', '--scope', `${API_APP_ID_URI}/.default`, '--client-secret-stdin'],
      {env, input: CLIENT_SECRET},
    )
    assert.equal(created.code, 0, created.stderr)
    emu.control.clearRequests()
    const res = await runCli(['get-token', '-p', 'example', '-o', 'json'], {env})
    assert.equal(res.code, 0, res.stderr)
    assert.match(res.stderr, /Requesting an application token \(example plugin\)/)
    const doc = JSON.parse(res.stdout)
    assert.equal(doc.flow, 'client-secret-example')
    const jwks = (await emulatorRequest(emu, 'GET', `/${DEFAULT_TENANT_ID}/discovery/v2.0/keys`)).json()
    const {payload} = await jwtVerify(doc.access_token, createLocalJWKSet(jwks as never), {audience: API_APP_ID_URI})
    assert.equal(payload.appid, CONFIDENTIAL_CLIENT_ID)
    assert.deepEqual(emu.control.requests().filter((r) => r.endpoint === 'token').map((r) => r.grantType), ['client_credentials'])
  })

  it('refuses a plugin built for contract version 999: removed again, exit 3, saying why', async () => {
    const res = await runCli(['plugins', 'install', futureTarball], {env, timeoutMs: 120_000})
    assert.equal(res.code, 3, res.stderr)
    // oclif wraps the error at 80 columns behind " ›   ".
    assert.match(res.stderr.replaceAll(/\s*\n\s*›?\s*/g, ' '), /refused and removed again: entratool-flow-future: flow 'future-flow' was built for flow contract version 999, this entratool speaks version 1/)

    const doc = await flowsDoc()
    assert.equal(doc.flows.some((f) => f.id === 'future-flow'), false)
    assert.deepEqual(doc.problems, [])
    const listed = await runCli(['plugins'], {env})
    assert.equal(listed.stdout.includes('entratool-flow-future'), false)
  })

  it('get-token --flow <refused flow> exits 3 naming the install command', async () => {
    const res = await runCli(['get-token', '--flow', 'future-flow', '--force', '--tenant', DEFAULT_TENANT_ID, '--client-id', CONFIDENTIAL_CLIENT_ID, '--authority', emu.authority()], {env})
    assert.equal(res.code, 3, res.stderr)
    assert.match(res.stderr, /flow 'future-flow' is not installed/)
    assert.match(res.stderr, /entratool plugins install/)
    assert.equal(res.stdout, '')
  })

  it('uninstalling removes the flows again', async () => {
    for (const name of ['entratool-flow-example']) {
      const res = await runCli(['plugins', 'uninstall', name], {env, timeoutMs: 120_000})
      assert.equal(res.code, 0, res.stderr)
    }

    const doc = await flowsDoc()
    assert.deepEqual(doc.flows.map((f) => f.id), ['client-credentials', 'device-code', 'interactive', 'managed-identity'])
    assert.deepEqual(doc.problems, [])
  })
})
