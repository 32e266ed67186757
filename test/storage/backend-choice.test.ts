import assert from 'node:assert/strict'
import {readFileSync, writeFileSync} from 'node:fs'
import {createServer, type Server, type Socket} from 'node:net'
import {join} from 'node:path'

import {cleanEnv, makeProfile, parseReport, runTs, STEPS, tempDir} from './helpers.js'

/**
 * Which backend the credential-provider hook picks when no keychain answers. Each run is a child
 * process: a native call that blocked would block the test runner itself.
 */
describe('storage: choosing a backend', function () {
  this.timeout(30_000)
  let tmp: ReturnType<typeof tempDir>
  let configDir: string
  beforeEach(() => {
    tmp = tempDir()
    configDir = join(tmp.dir, 'config')
  })
  afterEach(() => tmp.cleanup())

  const steps = async (plan: object[], env: Record<string, string> = {}) => {
    const res = await runTs(STEPS, [configDir, JSON.stringify(plan)], cleanEnv(tmp.dir, env))
    assert.equal(res.code, 0, res.stderr)
    return {ms: res.ms, reports: parseReport(res)}
  }

  /**
   * A unix socket whose server accepts connections and never says a word, or (`authenticates`)
   * accepts the client's authentication and then never answers the Hello that follows.
   */
  async function silentBus(authenticates = false): Promise<{address: string; close: () => void}> {
    const path = join(tmp.dir, 'silent-bus')
    const sockets: Socket[] = []
    const server: Server = createServer((socket) => {
      sockets.push(socket)
      if (authenticates) socket.once('data', () => socket.write('OK 0123456789abcdef0123456789abcdef\r\n'))
    })
    await new Promise<void>((resolve) => server.listen(path, resolve))
    return {
      address: `unix:path=${path},guid=0123456789abcdef0123456789abcdef`,
      close() {
        for (const s of sockets) s.destroy()
        server.close()
      },
    }
  }

  it('uses the encrypted file with one warning, at once, when there is no D-Bus session', async () => {
    const {ms, reports} = await steps([{ops: [['set', 'prod/client-secret', 'v'], ['get', 'prod/client-secret']]}, {}])
    const [first, second] = reports
    assert.equal(first.kind, 'file', first.error)
    assert.ok(first.ms < 4000, `fell back after ${first.ms} ms`)
    assert.ok(ms < 15_000, `the process took ${ms} ms`)
    assert.equal(first.warnings!.length, 1)
    assert.match(first.warnings![0], /OS keychain .* did not answer.*no D-Bus session bus.*AES-256-GCM encrypted file/)
    assert.match(first.description!.secrets, /encrypted files in .*secrets \(AES-256-GCM, key: the key file .*file\.key\)/)
    assert.deepEqual(first.results, [null, 'v'])
    // storage.json also records the key's source with a check value (issue 18).
    const {key, ...record} = JSON.parse(readFileSync(join(configDir, 'storage.json'), 'utf8'))
    assert.deepEqual(record, {backend: 'file', version: 1})
    assert.equal(key.source, 'key-file')
    assert.equal(second.kind, 'file')
    assert.deepEqual(second.warnings, [], 'the warning is said once, on first use')
  })

  for (const authenticates of [false, true]) {
    it(`falls back within the 3 s timeout when the session bus never answers${authenticates ? ' after authentication' : ''}, and keeps the choice`, async () => {
      const bus = await silentBus(authenticates)
      try {
        const {reports} = await steps([{}, {}], {DBUS_SESSION_BUS_ADDRESS: bus.address})
        const [first, second] = reports
        assert.equal(first.kind, 'file', first.error)
        assert.ok(first.ms >= 2900 && first.ms < 4000, `fell back after ${first.ms} ms`)
        assert.equal(first.warnings!.length, 1)
        assert.match(first.warnings![0], /did not answer/)
        // Recorded: the next run does not ask the silent keychain again.
        assert.equal(second.kind, 'file')
        assert.ok(second.ms < 1000, `the recorded backend took ${second.ms} ms`)
        assert.deepEqual(second.warnings, [])
      } finally {
        bus.close()
      }
    })
  }

  it('fails with exit code 6 and says how to choose the file when the keychain is forced but silent', async () => {
    const bus = await silentBus()
    try {
      const {reports} = await steps([{}], {DBUS_SESSION_BUS_ADDRESS: bus.address, ENTRATOOL_STORAGE: 'keychain'})
      assert.equal(reports[0].exitCode, 6)
      assert.match(reports[0].error!, /OS keychain .* did not answer/)
      assert.ok(reports[0].ms < 4000, `gave up after ${reports[0].ms} ms`)
    } finally {
      bus.close()
    }
  })

  it('does not ask the keychain when ENTRATOOL_STORAGE=file', async () => {
    const bus = await silentBus()
    try {
      const {reports} = await steps([{}], {DBUS_SESSION_BUS_ADDRESS: bus.address, ENTRATOOL_STORAGE: 'File '})
      assert.equal(reports[0].kind, 'file')
      assert.deepEqual(reports[0].warnings, [])
      assert.ok(reports[0].ms < 1000, `took ${reports[0].ms} ms`)
    } finally {
      bus.close()
    }
  })

  it('uses plaintext only while it is named, then moves the secrets back into encrypted files', async () => {
    await makeProfile(configDir)
    const {reports} = await steps([
      {env: {ENTRATOOL_STORAGE: 'plaintext'}, ops: [['set', 'prod/client-secret', 'plain-v'], ['write', 'prod.tokens', 'tok'], ['exists', 'secrets/prod%2Fclient-secret.json']]},
      {ops: [['get', 'prod/client-secret'], ['read', 'prod.tokens'], ['exists', 'secrets/prod%2Fclient-secret.json'], ['exists', 'cache/prod.tokens.json']]},
    ])
    const [plain, after] = reports
    assert.equal(plain.kind, 'plaintext')
    assert.match(plain.warnings!.join('\n'), /UNENCRYPTED/)
    assert.deepEqual(plain.results, [null, null, 'yes'])
    assert.equal(after.kind, 'file', after.error)
    assert.deepEqual(after.results, ['plain-v', 'tok', 'no', 'no'])
  })

  it('refuses an unknown ENTRATOOL_STORAGE and a damaged storage.json', async () => {
    const {reports} = await steps([{env: {ENTRATOOL_STORAGE: 'floppy'}}])
    assert.equal(reports[0].exitCode, 2)
    assert.match(reports[0].error!, /ENTRATOOL_STORAGE='floppy'/)

    await steps([{env: {ENTRATOOL_STORAGE: 'file'}}])
    writeFileSync(join(configDir, 'storage.json'), '{"backend": "floppy"}')
    const damaged = (await steps([{}])).reports[0]
    assert.equal(damaged.exitCode, 6)
    assert.match(damaged.error!, /storage\.json is damaged/)
  })
})
