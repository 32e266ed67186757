import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {mkdirSync, writeFileSync} from 'node:fs'
import {join, resolve} from 'node:path'

import {inKeyring, keyringMissing, q, tempDir} from './helpers.js'

const BIN = resolve(import.meta.dirname, '..', '..', 'bin', 'run.js')
const LOCK = `gdbus call --session --dest org.freedesktop.secrets --object-path /org/freedesktop/secrets --method org.freedesktop.Secret.Service.Lock "[objectpath '/org/freedesktop/secrets/aliases/default']" >/dev/null`

/** doctor against a real gnome-keyring in a private D-Bus session: answering, then locked. */
describe('storage: doctor asks the real Secret Service whether it answers and whether it is locked', function () {
  this.timeout(60_000)
  let tmp: ReturnType<typeof tempDir>

  before(function () {
    const missing = keyringMissing() ?? (spawnSync('sh', ['-c', 'command -v gdbus']).status === 0 ? undefined : 'gdbus not installed')
    if (missing) {
      console.log(`      skipped: ${missing}`)
      this.skip()
    }
  })
  beforeEach(() => {
    tmp = tempDir()
  })
  afterEach(() => tmp?.cleanup())

  it('a keychain backend whose collection is unlocked is healthy; locked, it is the first problem with the unlock as fix', async () => {
    const config = join(tmp.dir, 'config')
    mkdirSync(config, {mode: 0o700})
    writeFileSync(join(config, 'storage.json'), JSON.stringify({backend: 'keychain', version: 1}), {mode: 0o600})
    const doctor = `NO_COLOR=1 ENTRATOOL_CONFIG_DIR=${q(config)} "${process.execPath}" ${q(BIN)} doctor -o json`
    const res = await inKeyring(tmp.dir, `${doctor}; echo "exit=$?"; ${LOCK} && ${doctor}; echo "exit=$?"`)
    const [first, second] = res.stdout.split(/^exit=\d+$/m).map((s) => s.trim()).filter(Boolean).map((s) => JSON.parse(s))
    const exits = [...res.stdout.matchAll(/^exit=(\d+)$/gm)].map((m) => Number(m[1]))
    const check = (doc: {checks: {name: string; status: string; detail: string; fix: null | string}[]}, name: string) => doc.checks.find((c) => c.name === name)!
    assert.equal(check(first, 'keychain').detail, 'Secret Service answers', res.stderr)
    assert.equal(check(first, 'storage backend').status, 'ok')
    assert.deepEqual(exits, [0, 1], res.stderr)
    assert.equal(check(second, 'keychain').status, 'fail')
    assert.match(check(second, 'keychain').detail, /default collection \(keyring\) is locked/)
    assert.match(check(second, 'keychain').fix!, /^unlock the keyring .*gnome-keyring-daemon --unlock.*ENTRATOOL_STORAGE=file/)
  })
})
