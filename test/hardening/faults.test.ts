import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {createServer} from 'node:net'
import {join} from 'node:path'

import {API_APP_ID_URI, CLIENT_SECRET, CONFIDENTIAL_CLIENT_ID, DEFAULT_TENANT_ID, type Emulator, type FaultSpec} from '../emulator/index.js'
import {BIN, closeEmulatorSandbox, emulatorSandbox, runCli, type Sandbox} from '../helpers/cli.js'
import {recordFigure} from './figures.js'

describe('faults: the authority misbehaves, the disk refuses, processes die', function () {
  this.timeout(120_000)
  let emu: Emulator
  let box: Sandbox
  let env: Record<string, string>
  let faultsSurvived = 0

  const createApp = async (name: string, authority = emu.authority()) => {
    const res = await runCli(['create-profile', '--name', name, '--tenant-id', DEFAULT_TENANT_ID, '--client-id', CONFIDENTIAL_CLIENT_ID, '--authority', authority, '--flow', 'client-credentials', '--scope', `${API_APP_ID_URI}/.default`, '--client-secret-stdin'], {env, input: CLIENT_SECRET})
    assert.equal(res.code, 0, res.stderr)
  }

  before(async () => {
    ;({box, emu, env} = await emulatorSandbox())
    await createApp('app')
  })

  afterEach(() => emu.control.clearFaults())

  after(async () => {
    recordFigure('faultsSurvived', faultsSurvived)
    await closeEmulatorSandbox(emu, box)
  })

  const expectFailure = async (args: string[], code: number, says: RegExp, extraEnv: Record<string, string> = {}) => {
    const res = await runCli(args, {env: {...env, ...extraEnv}})
    assert.equal(res.code, code, res.stderr)
    assert.match(res.stderr, says)
    assert.equal(res.stdout, '')
    assert.doesNotMatch(res.stderr, /\n\s+at .+:\d+:\d+/)
    faultsSurvived++
    return res
  }

  it('a closed authority port → exit 7 "cannot reach"', async () => {
    const server = createServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const {port} = server.address() as {port: number}
    await new Promise((resolve) => server.close(resolve))
    await createApp('closed', `https://127.0.0.1:${port}/${DEFAULT_TENANT_ID}`)
    await expectFailure(['get-token', '-p', 'closed'], 7, /cannot reach 127\.0\.0\.1:\d+: ECONNREFUSED/)
  })

  it('an authority certificate the CLI does not trust → exit 7 naming ENTRATOOL_CA_FILE', async () => {
    await expectFailure(['get-token', '-p', 'app', '--force'], 7, /cannot trust the authority's certificate[\s\S]*ENTRATOOL_CA_FILE/, {ENTRATOOL_CA_FILE: ''})
  })

  const serverFaults: Array<[string, FaultSpec, RegExp]> = [
    ['HTTP 500 → exit 7 with the correlation id', {endpoint: 'token', kind: 500}, /HTTP 500[\s\S]*correlation id [\da-f-]{36}/],
    ['HTTP 503 → exit 7', {endpoint: 'token', kind: 503}, /HTTP 503/],
    ['429 with Retry-After → exit 7 saying it is throttled', {endpoint: 'token', kind: 429, retryAfter: 30}, /throttl/],
    ['a connection dropped mid-answer → exit 7', {endpoint: 'token', kind: 'drop'}, /dropped|broke|cannot reach/],
    ['a malformed token response → exit 7', {endpoint: 'token', kind: 'malformed'}, /not JSON/],
    ['metadata answering 500 → exit 7', {endpoint: 'openid-configuration', kind: 500}, /metadata|HTTP 500/],
  ]
  for (const [name, fault, says] of serverFaults) {
    it(name, async () => {
      // The authority's metadata is kept for a day; drop it so the metadata request is made.
      rmSync(join(box.configDir, 'cache', 'authority-metadata.enc'), {force: true})
      emu.control.injectFault({count: 5, ...fault})
      await expectFailure(['get-token', '-p', 'app', '--force'], 7, says)
    })
  }

  it('an answer slower than --timeout → exit 7 within the timeout', async () => {
    emu.control.injectFault({count: 5, delayMs: 10_000, endpoint: 'token', kind: 'slow'})
    const started = Date.now()
    await expectFailure(['get-token', '-p', 'app', '--force', '--timeout', '2s'], 7, /did not answer within 2 s/)
    assert.ok(Date.now() - started < 8000, `took ${Date.now() - started} ms`)
  })

  it('recovers once the authority does: the next call succeeds', async () => {
    const res = await runCli(['get-token', '-p', 'app', '--force'], {env})
    assert.equal(res.code, 0, res.stderr)
  })

  it('an unwritable cache location → exit 6 and the profiles file is untouched', async () => {
    const cache = join(box.configDir, 'cache')
    const saved = readdirSync(cache).map((f) => [f, readFileSync(join(cache, f))] as const)
    const profiles = readFileSync(join(box.configDir, 'profiles.json'))
    rmSync(cache, {force: true, recursive: true})
    // Root ignores permission bits, so a file where the directory should be stands in for a read-only disk.
    writeFileSync(cache, 'not a directory')
    try {
      await expectFailure(['get-token', '-p', 'app', '--force'], 6, /cannot (write|lock)/)
      assert.deepEqual(readFileSync(join(box.configDir, 'profiles.json')), profiles)
    } finally {
      rmSync(cache, {force: true})
      mkdirSync(cache, {mode: 0o700})
      for (const [name, data] of saved) writeFileSync(join(cache, name), data, {mode: 0o600, flag: 'w'})
    }
  })

  it('an unwritable secrets location → create-profile exits 6 and creates nothing', async () => {
    const profiles = join(box.configDir, 'profiles.json')
    const before = readFileSync(profiles)
    const secrets = join(box.configDir, 'secrets')
    const saved = readdirSync(secrets).map((f) => [f, readFileSync(join(secrets, f))] as const)
    rmSync(secrets, {force: true, recursive: true})
    writeFileSync(secrets, 'not a directory')
    try {
      const res = await runCli(['create-profile', '--name', 'blocked', '--tenant-id', DEFAULT_TENANT_ID, '--client-id', CONFIDENTIAL_CLIENT_ID, '--client-secret-stdin'], {env, input: 'a-secret-value'})
      assert.equal(res.code, 6, res.stderr)
      assert.match(res.stderr, /cannot write/)
      assert.deepEqual(readFileSync(profiles), before)
      faultsSurvived++
    } finally {
      rmSync(secrets, {force: true})
      mkdirSync(secrets, {mode: 0o700})
      for (const [name, data] of saved) writeFileSync(join(secrets, name), data, {mode: 0o600})
    }
  })

  it('SIGKILL at random moments while writing profiles and the cache never leaves an unreadable state', async function () {
    this.timeout(120_000)
    const rounds = 20
    for (let i = 0; i < rounds; i++) {
      const args = i % 2 === 0 ? ['edit-profile', '--name', 'app', '--scope', `${API_APP_ID_URI}/.default`] : ['get-token', '-p', 'app', '--force']
      const child = spawn(process.execPath, [BIN, ...args], {env, stdio: 'ignore'})
      const closed = new Promise((resolve) => child.on('close', resolve))
      await new Promise((resolve) => setTimeout(resolve, 60 + ((i * 37) % 250)))
      child.kill('SIGKILL')
      await closed
      JSON.parse(readFileSync(join(box.configDir, 'profiles.json'), 'utf8'))
    }

    const list = await runCli(['list-profiles', '-o', 'json'], {env})
    assert.equal(list.code, 0, list.stderr)
    assert.ok(JSON.parse(list.stdout).some((p: {name: string}) => p.name === 'app'))
    const token = await runCli(['get-token', '-p', 'app'], {env})
    assert.equal(token.code, 0, token.stderr)
    assert.doesNotMatch(token.stderr, /damaged/)
    const leftovers = readdirSync(join(box.configDir, 'cache')).filter((f) => f.endsWith('.tmp'))
    assert.ok(leftovers.length <= rounds, 'temp files from killed writers are bounded')
    recordFigure('processesKilled', rounds)
  })
})
