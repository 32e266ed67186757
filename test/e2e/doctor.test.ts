import assert from 'node:assert/strict'
import {chmodSync, mkdirSync, writeFileSync} from 'node:fs'
import {createServer} from 'node:net'
import {join} from 'node:path'

import {API_APP_ID_URI, CLIENT_SECRET, CONFIDENTIAL_CLIENT_ID, DEFAULT_TENANT_ID, type Emulator} from '../emulator/index.js'
import {closeEmulatorSandbox, emulatorSandbox, runCli, type Sandbox} from '../helpers/cli.js'

interface Doc {
  healthy: boolean
  problem: null | {name: string; status: string; detail: string; fix: string}
  checks: {name: string; status: 'fail' | 'ok' | 'warn'; detail: string; fix: null | string}[]
}

/** A port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as {port: number}
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

describe('entratool doctor (against the emulator)', () => {
  let emu: Emulator
  let box: Sandbox
  let env: Record<string, string>

  before(async () => {
    ;({box, emu, env} = await emulatorSandbox())
    const created = await runCli(
      ['create-profile', '--name', 'ci', '--tenant-id', DEFAULT_TENANT_ID, '--client-id', CONFIDENTIAL_CLIENT_ID, '--authority', emu.authority(), '--flow', 'client-credentials', '--scope', `${API_APP_ID_URI}/.default`, '--client-secret-stdin'],
      {env, input: CLIENT_SECRET},
    )
    assert.equal(created.code, 0, created.stderr)
  })

  after(() => closeEmulatorSandbox(emu, box))
  afterEach(() => emu.control.reset())

  const doctor = async (args: string[], extraEnv: Record<string, string | undefined> = {}) => runCli(['doctor', ...args], {env: {...env, ...extraEnv}})
  const json = async (args: string[], extraEnv: Record<string, string | undefined> = {}) => {
    const res = await doctor([...args, '-o', 'json'], extraEnv)
    return {doc: JSON.parse(res.stdout) as Doc, res}
  }

  const check = (doc: Doc, name: string) => {
    const found = doc.checks.find((c) => c.name === name)
    assert.ok(found, `no check '${name}' in ${doc.checks.map((c) => c.name).join(', ')}`)
    return found
  }

  it('is healthy against the emulator: exit 0, every line ✓, the report on stdout and nothing on stderr', async () => {
    const res = await doctor(['-p', 'ci'])
    assert.equal(res.code, 0, res.stdout + res.stderr)
    assert.equal(res.stderr, '')
    const lines = res.stdout.trimEnd().split('\n')
    assert.ok(lines.every((l) => l.startsWith('✓ ')), res.stdout)
    assert.match(res.stdout, /^✓ version: entratool \d+\.\d+\.\d+\S*, Node\.js v\d+/m)
    assert.match(res.stdout, new RegExp(`^✓ config directory: ${box.configDir} \\(mode 700\\)$`, 'm'))
    assert.match(res.stdout, /^✓ key and secret files: \d+ files? under keys\/, secrets\/ and cache\/, all readable only by you$/m)
    assert.match(res.stdout, /^✓ storage backend: encrypted files \(AES-256-GCM, key file .*file\.key\), recorded in .*storage\.json$/m)
    assert.match(res.stdout, /^✓ keychain: Secret Service not available: no D-Bus session bus/m)
    assert.match(res.stdout, new RegExp(`^✓ CA file: ${emu.caFile} \\(ENTRATOOL_CA_FILE\\): 1 certificate`, 'm'))
    assert.match(res.stdout, new RegExp(`^✓ proxy: none: ${emu.host} is reached directly`, 'm'))
    assert.match(res.stdout, new RegExp(`^✓ authority: ${emu.authority()} answers \\(HTTP 200 in \\d+ ms\\)$`, 'm'))
    assert.match(res.stdout, /^✓ clock: in step with the authority/m)
    assert.match(res.stdout, /^✓ flows: client-credentials, device-code, interactive, managed-identity \(4 flows installed\)$/m)
    // Only the authority the profile names was asked, once.
    assert.deepEqual(emu.control.requests().map((r) => r.endpoint), ['openid-configuration'])
  })

  it('-o json: {healthy, problem, checks[{name, status, detail, fix}]}', async () => {
    const {doc, res} = await json(['-p', 'ci'])
    assert.equal(res.code, 0, res.stderr)
    assert.deepEqual(Object.keys(doc).sort(), ['checks', 'healthy', 'problem'])
    assert.equal(doc.healthy, true)
    assert.equal(doc.problem, null)
    assert.deepEqual(
      doc.checks.map((c) => c.name),
      ['version', 'config directory', 'data directory', 'cache directory', 'key and secret files', 'keychain', 'storage backend', 'profile', 'CA file', 'proxy', 'authority', 'clock', 'flows'],
    )
    for (const c of doc.checks) {
      assert.deepEqual(Object.keys(c).sort(), ['detail', 'fix', 'name', 'status'])
      assert.equal(c.status, 'ok')
      assert.equal(c.fix, null)
      assert.equal(typeof c.detail, 'string')
    }
  })

  it('uses the default profile when -p is not given, and says so when there is none', async () => {
    const {doc} = await json([])
    assert.match(check(doc, 'profile').detail, /^ci \(flow client-credentials/)
    const empty = await json([], {ENTRATOOL_CONFIG_DIR: join(box.home, 'empty-config')})
    assert.equal(empty.res.code, 0, empty.res.stderr)
    assert.match(check(empty.doc, 'profile').detail, /^none yet: create one with `entratool create-profile`/)
    assert.equal(empty.doc.checks.some((c) => c.name === 'authority'), false)
  })

  it('an unknown -p is the first problem: exit 1, its fix on stderr', async () => {
    const res = await doctor(['-p', 'nope'])
    assert.equal(res.code, 1)
    assert.match(res.stdout, /^✗ profile: no profile 'nope' in /m)
    assert.match(res.stderr, /^Error: profile: no profile 'nope'/m)
    assert.match(res.stderr, /^→ pass -p with one of `entratool list-profiles`/m)
  })

  it('an unreachable authority fails with the address and what to check', async () => {
    const port = await closedPort()
    const authority = `https://127.0.0.1:${port}/${DEFAULT_TENANT_ID}`
    const made = await runCli(['create-profile', '--name', 'gone', '--tenant-id', DEFAULT_TENANT_ID, '--client-id', CONFIDENTIAL_CLIENT_ID, '--authority', authority, '--flow', 'device-code'], {env})
    assert.equal(made.code, 0, made.stderr)
    const res = await doctor(['-p', 'gone'])
    assert.equal(res.code, 1)
    assert.match(res.stdout, new RegExp(`^✗ authority: ${authority}: cannot reach 127\\.0\\.0\\.1:${port}: ECONNREFUSED$`, 'm'))
    assert.match(res.stdout, /^ {4}→ check the authority URL and your network \(set HTTPS_PROXY if you need a proxy\)$/m)
    assert.match(res.stderr, new RegExp(`^Error: authority: ${authority}: cannot reach`, 'm'))
    assert.equal(res.stdout.includes('clock:'), false, 'no clock verdict without an answer')
  })

  it('an untrusted certificate (no CA file) fails with "cannot trust" and names ENTRATOOL_CA_FILE', async () => {
    const {doc, res} = await json(['-p', 'ci'], {ENTRATOOL_CA_FILE: undefined})
    assert.equal(res.code, 1)
    assert.equal(doc.healthy, false)
    assert.match(check(doc, 'CA file').detail, /^none: the authority's certificate must chain to Node\.js's built-in roots$/)
    const authority = check(doc, 'authority')
    assert.equal(authority.status, 'fail')
    assert.match(authority.detail, /cannot trust its certificate: the certificate of 127\.0\.0\.1:\d+ is not trusted \(SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE/)
    assert.match(authority.fix!, /^set ENTRATOOL_CA_FILE \(or the profile's --ca-file\) to the PEM file of the CA/)
    assert.deepEqual(doc.problem, authority)
  })

  it('a CA file that holds no certificate fails before any request', async () => {
    const bogus = join(box.home, 'not-a-ca.pem')
    writeFileSync(bogus, 'hello\n')
    emu.control.clearRequests()
    const {doc, res} = await json(['-p', 'ci'], {ENTRATOOL_CA_FILE: bogus})
    assert.equal(res.code, 1)
    assert.equal(check(doc, 'CA file').status, 'fail')
    assert.match(check(doc, 'CA file').detail, /holds no PEM certificate/)
    assert.deepEqual(emu.control.requests(), [])
  })

  it('an authority slower than the doctor waits fails after 5 s instead of hanging', async () => {
    emu.control.injectFault({delayMs: 20_000, endpoint: 'openid-configuration', kind: 'slow'})
    const {doc, res} = await json(['-p', 'ci'])
    assert.equal(res.code, 1)
    assert.match(check(doc, 'authority').detail, /did not answer within 5 s$/)
  })

  it('clock skew from the authority\'s Date header: over 5 min fails, a few minutes warns (exit 0)', async () => {
    emu.control.setClockSkew(600)
    const far = await doctor(['-p', 'ci'])
    assert.equal(far.code, 1, far.stdout)
    assert.match(far.stdout, /^✗ clock: this machine's clock is 10 min behind the authority's: tokens will look expired/m)
    assert.match(far.stdout, /^ {4}→ sync the clock: `sudo timedatectl set-ntp true` on Linux/m)
    assert.match(far.stderr, /^Error: clock: /m)

    emu.control.setClockSkew(-100)
    const near = await json(['-p', 'ci'])
    assert.equal(near.res.code, 0, near.res.stderr)
    assert.equal(check(near.doc, 'clock').status, 'warn')
    assert.match(check(near.doc, 'clock').detail, /^this machine's clock is (99|100|101) s ahead of the authority's$/)
    assert.equal(near.doc.healthy, true)
  })

  it('a key or secret file readable by others fails, as ssh refuses such a key, with the chmod to run', async () => {
    const key = join(box.configDir, 'keys', 'file.key')
    chmodSync(key, 0o644)
    try {
      const res = await doctor(['-p', 'ci'])
      assert.equal(res.code, 1)
      assert.match(res.stdout, new RegExp(`^✗ key and secret files: readable by group or others: ${key} \\(mode 644\\)$`, 'm'))
      assert.match(res.stdout, new RegExp(`^ {4}→ chmod 600 ${key}$`, 'm'))
      chmodSync(box.configDir, 0o755)
      const dir = await json(['-p', 'ci'])
      assert.equal(check(dir.doc, 'config directory').status, 'warn')
      assert.match(check(dir.doc, 'config directory').fix!, new RegExp(`^chmod 700 ${box.configDir}$`))
    } finally {
      chmodSync(key, 0o600)
      chmodSync(box.configDir, 0o700)
    }
  })

  it('a broken storage choice fails: ENTRATOOL_STORAGE names no backend; plaintext only warns', async () => {
    const bad = await json(['-p', 'ci'], {ENTRATOOL_STORAGE: 'vault'})
    assert.equal(bad.res.code, 1)
    assert.match(check(bad.doc, 'storage backend').detail, /^ENTRATOOL_STORAGE='vault' is not a storage backend$/)
    const plain = await json(['-p', 'ci'], {ENTRATOOL_STORAGE: 'plaintext'})
    assert.equal(plain.res.code, 0)
    assert.equal(check(plain.doc, 'storage backend').status, 'warn')
    assert.match(check(plain.doc, 'storage backend').detail, /UNENCRYPTED/)
  })

  it('a plugin whose flows hook throws, and a listed plugin that is gone, are each a failure with a fix', async () => {
    const dataDir = join(box.home, 'plugins-data')
    const pluginDir = join(dataDir, 'node_modules', 'entratool-flow-broken')
    mkdirSync(pluginDir, {recursive: true})
    writeFileSync(
      join(dataDir, 'package.json'),
      JSON.stringify({dependencies: {'entratool-flow-broken': '1.0.0', 'entratool-flow-gone': '1.0.0'}, oclif: {plugins: [{name: 'entratool-flow-broken', type: 'user'}, {name: 'entratool-flow-gone', type: 'user'}], schema: 1}, private: true}),
    )
    writeFileSync(join(pluginDir, 'package.json'), JSON.stringify({name: 'entratool-flow-broken', oclif: {hooks: {'entratool:flows': './flows.js'}}, type: 'module', version: '1.0.0'}))
    writeFileSync(join(pluginDir, 'flows.js'), "export default async function () { throw new Error('broken on purpose') }\n")
    const {doc, res} = await json(['-p', 'ci'], {ENTRATOOL_DATA_DIR: dataDir})
    assert.equal(res.code, 1)
    const broken = check(doc, 'plugin entratool-flow-broken')
    assert.equal(broken.status, 'fail')
    assert.match(broken.detail, /its flows hook failed: broken on purpose/)
    assert.equal(broken.fix, 'update it or remove it: `entratool plugins uninstall entratool-flow-broken`')
    const gone = check(doc, 'plugin entratool-flow-gone')
    assert.match(gone.detail, /^did not load \(listed in .*plugins-data\/package\.json\)$/)
    assert.match(check(doc, 'flows').detail, /\(4 flows installed\)$/)
  })

  it('a managed-identity profile contacts no authority', async () => {
    const made = await runCli(['create-profile', '--name', 'mi', '--tenant-id', DEFAULT_TENANT_ID, '--client-id', CONFIDENTIAL_CLIENT_ID, '--flow', 'managed-identity'], {env})
    assert.equal(made.code, 0, made.stderr)
    emu.control.clearRequests()
    const {doc, res} = await json(['-p', 'mi'])
    assert.equal(res.code, 0, res.stderr)
    assert.match(check(doc, 'authority').detail, /^a managed-identity profile gets its tokens from the host's identity endpoint/)
    assert.deepEqual(emu.control.requests(), [])
  })
})
