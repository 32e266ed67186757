import assert from 'node:assert/strict'
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {API_APP_ID_URI, CONFIDENTIAL_CLIENT_ID, DEFAULT_TENANT_ID, PUBLIC_CLIENT_ID} from '../../emulator/constants.js'
import {InProcessCli} from '../../helpers/in-process.js'

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')

/** Each command renders the data its run() returns, in the format asked for; status goes to stderr. */
describe('commands in-process: rendering what run() returns', () => {
  const cli = new InProcessCli()
  // Nothing here reaches an authority: a loopback port nobody listens on, should anything try.
  const authority = `https://127.0.0.1:9/${DEFAULT_TENANT_ID}`

  before(async () => {
    for (const argv of [
      ['create-profile', '--name', 'app', '--tenant-id', DEFAULT_TENANT_ID, '--authority', authority, '--client-id', CONFIDENTIAL_CLIENT_ID, '--flow', 'client-credentials', '--scope', `${API_APP_ID_URI}/.default`],
      ['create-profile', '--name', 'work', '--tenant-id', DEFAULT_TENANT_ID, '--authority', authority, '--client-id', PUBLIC_CLIENT_ID, '--flow', 'device-code', '--scope', `${API_APP_ID_URI}/Data.Read`],
    ]) {
      const res = await cli.run(argv)
      assert.equal(res.code, 0, res.stderr)
    }
  })

  after(() => cli.cleanup())

  describe('list-profiles', () => {
    it('json and yaml are the summaries run() returns', async () => {
      const json = await cli.run(['list-profiles', '-o', 'json'])
      assert.equal(json.code, 0, json.stderr)
      assert.equal(json.stdout, `${JSON.stringify(json.result, null, 2)}\n`)
      assert.deepEqual((json.result as {name: string}[]).map((p) => p.name), ['app', 'work'])
      const yaml = await cli.run(['list-profiles', '-o', 'yaml'])
      assert.match(yaml.stdout, /^- name: app\n/)
    })

    it('the table marks the default profile and names the storage', async () => {
      const res = await cli.run(['list-profiles'])
      assert.equal(res.code, 0, res.stderr)
      const lines = res.stdout.split('\n')
      assert.match(lines[0], /^ {2}NAME +FLOW +TENANT +CLIENT ID +TOKEN$/)
      assert.match(lines[1], /^\* app +client-credentials +\S+ +\S+ +none$/)
      assert.match(lines[2], /^ {2}work +device-code +\S+ +\S+ +none$/)
      assert.match(res.stdout, /\n\nTokens: .+\nSecrets: .+\n$/)
    })
  })

  describe('inspect', () => {
    const token = `${b64({alg: 'RS256', typ: 'JWT'})}.${b64({aud: 'api://x', exp: 4_102_444_800, iss: 'https://issuer.test/', name: 'A\u001B[2Jlice'})}.c2ln`

    it('-o json --claims renders only the claims, which run() returns', async () => {
      const res = await cli.run(['inspect', token, '-o', 'json', '--claims'])
      assert.equal(res.code, 0, res.stderr)
      assert.deepEqual(JSON.parse(res.stdout), res.result)
      assert.equal((res.result as {aud: string}).aud, 'api://x')
    })

    it('reads the token from the injected stdin with -', async () => {
      const res = await cli.run(['inspect', '-', '-o', 'yaml', '--header'], {input: `${token}\n`})
      assert.equal(res.code, 0, res.stderr)
      assert.equal(res.stdout, 'alg: RS256\ntyp: JWT\n')
    })

    it('the pretty view escapes control characters and says the signature is not verified', async () => {
      const res = await cli.run(['inspect', token])
      assert.equal(res.code, 0, res.stderr)
      assert.match(res.stdout, /^Header\n/)
      assert.ok(res.stdout.includes('A\\u001b[2Jlice'), res.stdout)
      assert.ok(!res.stdout.includes('\u001B'))
      assert.match(res.stdout, /\n\nSignature not verified: this shows what the token says, not that it is genuine\.\n$/)
    })
  })

  it('export-profile prints the document run() returns; import-profile --dry-run reads it from stdin and changes nothing', async () => {
    const exported = await cli.run(['export-profile', '--name', 'work'])
    assert.equal(exported.code, 0, exported.stderr)
    assert.equal(exported.stdout, (exported.result as {document: string}).document)
    assert.equal(JSON.parse(exported.stdout).format, 'entratool-profiles')
    assert.match(exported.stderr, /✓ Exported profile 'work'\n$/)

    const profiles = readFileSync(join(cli.configDir, 'profiles.json'), 'utf8')
    const dry = await cli.run(['import-profile', '--dry-run', '--overwrite', '--yes'], {input: exported.stdout})
    assert.equal(dry.code, 0, dry.stderr)
    assert.equal(dry.stdout, '')
    assert.deepEqual((dry.result as {name: string}[]).map((i) => i.name), ['work'])
    assert.match(dry.stderr, /Would replace profile 'work'\nDry run: nothing was changed\n$/)
    assert.equal(readFileSync(join(cli.configDir, 'profiles.json'), 'utf8'), profiles)
  })

  it('kubeconfig convert --dry-run prints the diff and writes nothing', async () => {
    const file = join(cli.home, 'kubeconfig.yaml')
    const original = `apiVersion: v1
kind: Config
users:
- name: aks-user
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: kubelogin
      args: [get-token, --login, devicecode, --server-id, ${API_APP_ID_URI}, --tenant-id, ${DEFAULT_TENANT_ID}, --client-id, ${PUBLIC_CLIENT_ID}]
`
    writeFileSync(file, original)
    const res = await cli.run(['kubeconfig', 'convert', '--kubeconfig', file, '--dry-run'])
    assert.equal(res.code, 0, res.stderr)
    assert.equal(res.stdout, (res.result as {diff: string}).diff)
    assert.match(res.stdout, /^-\s+command: kubelogin$/m)
    assert.match(res.stdout, /^\+\s+command: entratool$/m)
    assert.match(res.stderr, /aks-user: kubelogin -l devicecode → entratool, would use profile '\S+' \(to be created\)/)
    assert.equal(readFileSync(file, 'utf8'), original)
  })

  it('shim install prints the PATH line and shim uninstall removes what it wrote', async () => {
    const dir = join(cli.home, 'shims')
    const installed = await cli.run(['shim', 'install', '-p', 'app', '--dir', dir])
    assert.equal(installed.code, 0, installed.stderr)
    assert.equal(installed.stdout, `${(installed.result as {pathLine: string}).pathLine}\n`)
    assert.equal(installed.stdout, `export PATH="${dir}:$PATH"\n`)
    assert.ok(existsSync(join(dir, 'az')))
    const removed = await cli.run(['shim', 'uninstall', '--dir', dir])
    assert.equal(removed.code, 0, removed.stderr)
    assert.equal(removed.stdout, '')
    assert.deepEqual((removed.result as {removed: string[]}).removed, [join(dir, 'az'), join(dir, 'azd')])
  })

  it('__complete lists the profiles, sorted, one a line', async () => {
    const res = await cli.run(['__complete', 'profiles'])
    assert.equal(res.code, 0, res.stderr)
    assert.equal(res.stdout, 'app\nwork\n')
    assert.deepEqual(res.result, ['app', 'work'])
  })

  it('clear-cache --all returns the profiles it cleared; delete-profile --yes returns what it deleted', async () => {
    const cleared = await cli.run(['clear-cache', '--all'])
    assert.equal(cleared.code, 0, cleared.stderr)
    assert.deepEqual(cleared.result, ['app', 'work'])
    assert.equal(cleared.stderr, '✓ Cleared cached tokens of 2 profile(s)\n')
    const created = await cli.run(['create-profile', '--name', 'gone', '--tenant-id', DEFAULT_TENANT_ID, '--client-id', PUBLIC_CLIENT_ID])
    assert.equal(created.code, 0, created.stderr)
    const deleted = await cli.run(['delete-profile', '--name', 'gone', '--yes'])
    assert.equal(deleted.code, 0, deleted.stderr)
    assert.deepEqual(deleted.result, {deleted: true, name: 'gone'})
    assert.equal(deleted.stdout, '')
  })
})
