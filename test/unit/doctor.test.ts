import assert from 'node:assert/strict'
import {chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {clockCheck} from '../../src/doctor/authority.js'
import {firstFailure} from '../../src/doctor/check.js'
import {directoryChecks} from '../../src/doctor/directories.js'
import {runtimeCheck} from '../../src/doctor/runtime.js'
import {storageChecks} from '../../src/doctor/storage.js'

describe('doctor checks (unit)', () => {
  let dir: string
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'entratool-doctor-'))
  })
  afterEach(() => rmSync(dir, {force: true, recursive: true}))

  describe('clock', () => {
    const now = Date.parse('2026-12-02T10:00:00.400Z')
    const table: [string, string, RegExp][] = [
      ['Wed, 02 Dec 2026 10:00:00 GMT', 'ok', /^in step with the authority/],
      ['Wed, 02 Dec 2026 09:59:00 GMT', 'ok', /^this machine's clock is 60 s ahead of the authority's$/],
      ['Wed, 02 Dec 2026 10:02:00 GMT', 'warn', /^this machine's clock is 2 min behind the authority's$/],
      ['Wed, 02 Dec 2026 10:10:00 GMT', 'fail', /^this machine's clock is 10 min behind the authority's: tokens will look expired/],
      ['Wed, 02 Dec 2026 07:00:00 GMT', 'fail', /^this machine's clock is 3 h ahead/],
    ]
    for (const [header, status, detail] of table) {
      it(`${header} at 10:00:00.4Z → ${status}`, () => {
        const result = clockCheck(header, now, 20)
        assert.equal(result.status, status)
        assert.match(result.detail, detail)
      })
    }

    it('no Date header is a warning, never a guess', () => {
      assert.equal(clockCheck(undefined, now, 5).status, 'warn')
      assert.equal(clockCheck('yesterday-ish', now, 5).status, 'warn')
    })

    it('a slow round trip widens what counts as in step', () => {
      assert.equal(clockCheck('Wed, 02 Dec 2026 10:00:02 GMT', now, 200).detail, "this machine's clock is 2 s behind the authority's")
      assert.equal(clockCheck('Wed, 02 Dec 2026 10:00:02 GMT', now, 4000).detail, 'in step with the authority (its Date header)')
    })
  })

  it('runtime: Node below engines.node (20.19) fails with the fix', () => {
    assert.equal(runtimeCheck('1.2.3', 'v20.19.0', 'linux x64').status, 'ok')
    assert.equal(runtimeCheck('1.2.3', 'v22.1.0', 'linux x64').status, 'ok')
    const old = runtimeCheck('1.2.3', 'v20.18.1', 'linux x64')
    assert.equal(old.status, 'fail')
    assert.match(old.fix!, /install Node\.js 20\.19 or later/)
  })

  describe('storage backend (with a stand-in keychain probe)', () => {
    const silent = async () => 'no D-Bus session bus'
    const answers = async () => undefined

    it('a recorded keychain that does not answer fails, with ENTRATOOL_STORAGE=file as the way out', async () => {
      writeFileSync(join(dir, 'storage.json'), JSON.stringify({backend: 'keychain', version: 1}))
      const results = await storageChecks(dir, {}, silent)
      const problem = firstFailure(results)!
      assert.equal(problem.name, 'keychain')
      assert.match(problem.detail, /does not answer: no D-Bus session bus/)
      assert.match(problem.fix!, /ENTRATOOL_STORAGE=file/)
      assert.equal(results.find((r) => r.name === 'storage backend')!.status, 'fail')
    })

    it('a recorded keychain that answers is healthy', async () => {
      writeFileSync(join(dir, 'storage.json'), JSON.stringify({backend: 'keychain', version: 1}))
      const results = await storageChecks(dir, {}, answers)
      assert.deepEqual(results.map((r) => r.status), ['ok', 'ok'])
      assert.match(results[1].detail, /^the OS keychain .* recorded in .*storage\.json$/)
    })

    it('the file backend says where its key comes from, and when the keychain could take over', async () => {
      writeFileSync(join(dir, 'storage.json'), JSON.stringify({backend: 'file', version: 1}))
      const [, withFile] = await storageChecks(dir, {}, answers)
      assert.match(withFile.detail, /key file .*file\.key \(not made yet\)\), recorded in .*; the keychain answers now: ENTRATOOL_STORAGE=keychain moves the secrets there$/)
      const [, withPassphrase] = await storageChecks(dir, {ENTRATOOL_CACHE_PASSPHRASE: 'x'}, silent)
      assert.match(withPassphrase.detail, /key derived from ENTRATOOL_CACHE_PASSPHRASE\), recorded in/)
    })

    it('a damaged storage.json fails with its own fix; nothing recorded says what first use will pick', async () => {
      writeFileSync(join(dir, 'storage.json'), '{"backend":"cloud"}')
      const damaged = firstFailure(await storageChecks(dir, {}, silent))!
      assert.match(damaged.detail, /is damaged/)
      assert.match(damaged.fix!, /remove it to choose again/)
      rmSync(join(dir, 'storage.json'))
      const [, fresh] = await storageChecks(dir, {}, silent)
      assert.match(fresh.detail, /^not chosen yet: the first command that stores something will use encrypted files/)
    })
  })

  it('directories: a missing one is fine, a file in its place and a secret readable by others are not', async function () {
    if (process.platform === 'win32') this.skip()
    const config = join(dir, 'config')
    mkdirSync(join(config, 'secrets'), {mode: 0o700, recursive: true})
    chmodSync(config, 0o700)
    writeFileSync(join(config, 'secrets', 'a.enc'), 'x', {mode: 0o600})
    writeFileSync(join(dir, 'not-a-dir'), '')
    const results = await directoryChecks({cache: join(dir, 'not-a-dir'), config, data: join(dir, 'missing')})
    assert.deepEqual(results.map((r) => [r.name, r.status]), [['config directory', 'ok'], ['data directory', 'ok'], ['cache directory', 'fail'], ['key and secret files', 'ok']])
    chmodSync(join(config, 'secrets', 'a.enc'), 0o640)
    const exposed = (await directoryChecks({cache: dir, config, data: dir}))[3]
    assert.equal(exposed.status, 'fail')
    assert.equal(exposed.fix, `chmod 600 ${join(config, 'secrets', 'a.enc')}`)
  })
})
