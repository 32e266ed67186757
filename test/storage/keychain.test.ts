import assert from 'node:assert/strict'
import {existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {cleanEnv, FIXTURES, inKeyring, keyringMissing, parseReport, q, run, STEPS, tempDir} from './helpers.js'

/** Real gnome-keyring in a private D-Bus session: the Secret Service as Linux desktops run it. */
describe('storage: the keychain backend against a real Secret Service', function () {
  this.timeout(60_000)
  let tmp: ReturnType<typeof tempDir>
  let configDir: string

  before(function () {
    const missing = keyringMissing()
    if (missing) {
      console.log(`      skipped: ${missing}`)
      this.skip()
    }
  })
  beforeEach(() => {
    tmp = tempDir()
    configDir = join(tmp.dir, 'config')
  })
  afterEach(() => tmp?.cleanup())

  it('stores, reads, rotates and deletes a secret, kept apart per config dir and across processes', async () => {
    const script = join(FIXTURES, 'keychain-roundtrip.ts')
    const search = `command -v gdbus >/dev/null && gdbus call --session --dest org.freedesktop.secrets --object-path /org/freedesktop/secrets --method org.freedesktop.Secret.Service.SearchItems "{'service': 'entratool-cli'}"`
    const res = await inKeyring(tmp.dir, `node_ts ${q(script)} ${q(configDir)} roundtrip && node_ts ${q(script)} ${q(configDir)} read && { ${search} || true; }`)
    assert.equal(res.code, 0, res.stderr)
    const [first, second, items] = res.stdout.trim().split('\n')
    assert.deepEqual(JSON.parse(first), {afterDelete: null, afterRotation: 'rotated', before: null, otherConfigDir: null, readBack: true})
    assert.deepEqual(JSON.parse(second), {persisted: 'persisted-value'})
    // When gdbus is there, the Secret Service itself is asked: one item of service entratool-cli.
    if (items !== undefined) assert.match(items, /^\(\[objectpath '\/org\/freedesktop\/secrets\/collection\/[^']+'\], @ao \[\]\)$/)
  })

  it('is chosen on first use when the keychain answers: secrets and the file key in the keychain, tokens in encrypted files', async () => {
    const steps = [{ops: [['set', 'prod/client-secret', 'the-secret'], ['write', 'prod.tokens', 'token-record'], ['keychain', 'file-key']]}]
    const next = [{ops: [['get', 'prod/client-secret'], ['read', 'prod.tokens']]}]
    const res = await inKeyring(tmp.dir, `node_ts ${q(STEPS)} ${q(configDir)} ${q(JSON.stringify(steps))} && echo && node_ts ${q(STEPS)} ${q(configDir)} ${q(JSON.stringify(next))}`)
    assert.equal(res.code, 0, res.stderr)
    const [[first], [second]] = res.stdout.trim().split('\n').map((line) => parseReport({...res, stdout: line}))
    assert.equal(first.kind, 'keychain', first.error)
    assert.deepEqual(first.warnings, [])
    assert.match(first.description!.secrets, /OS keychain \(Secret Service/)
    assert.match(first.description!.tokens, /key in the OS keychain/)
    assert.match(first.results![2]!, /^sha256:/, 'the file key is a keychain entry')
    assert.equal(existsSync(join(configDir, 'keys', 'file.key')), false, 'no key file on disk')
    assert.equal(existsSync(join(configDir, 'secrets')), false, 'no secret files on disk')
    assert.equal(readFileSync(join(configDir, 'cache', 'prod.tokens.enc')).includes('token-record'), false)
    // storage.json also records the key's source with a check value (issue 18).
    const {key, ...record} = JSON.parse(readFileSync(join(configDir, 'storage.json'), 'utf8'))
    assert.deepEqual(record, {backend: 'keychain', version: 1})
    assert.equal(key.source, 'keychain')
    assert.equal(second.kind, 'keychain')
    assert.deepEqual(second.results, ['the-secret', 'token-record'])
  })

  it('gives processes that start together one backend and one key', async () => {
    // Far enough ahead that every process has loaded before the agreed instant.
    const startAt = Date.now() + 3000
    const racers = [1, 2, 3, 4, 5].map((i) => {
      const steps = [{ops: [['write', `from-${i}`, `written by ${i}`]], startAt}]
      return `node_ts ${q(STEPS)} ${q(configDir)} ${q(JSON.stringify(steps))} > ${q(join(tmp.dir, `out.${i}`))} &`
    })
    const check = [{ops: [1, 2, 3, 4, 5].map((i) => ['read', `from-${i}`])}]
    const res = await inKeyring(tmp.dir, `${racers.join(' ')} wait; cat ${q(tmp.dir)}/out.*; echo; node_ts ${q(STEPS)} ${q(configDir)} ${q(JSON.stringify(check))}`)
    assert.equal(res.code, 0, res.stderr)
    const lines = res.stdout.replaceAll('][', ']\n[').trim().split('\n')
    const reports = lines.map((line) => parseReport({...res, stdout: line})[0])
    assert.equal(reports.length, 6)
    assert.deepEqual(new Set(reports.map((r) => r.kind ?? r.error)), new Set(['keychain']))
    // Every blob opens with the key the last process got: all five sealed with one key.
    assert.deepEqual(reports[5].results, [1, 2, 3, 4, 5].map((i) => `written by ${i}`))
  })


  it('falls back within the timeout when the bus answers but the Secret Service never does', async () => {
    // A private bus whose org.freedesktop.secrets is "activated" by a process that never registers.
    const services = join(tmp.dir, 'services')
    mkdirSync(services)
    writeFileSync(join(services, 'org.freedesktop.secrets.service'), '[D-BUS Service]\nName=org.freedesktop.secrets\nExec=/bin/sh -c "exec sleep 30 >/dev/null 2>&1"\n')
    writeFileSync(join(tmp.dir, 'bus.conf'), `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>session</type><listen>unix:tmpdir=${tmp.dir}</listen><servicedir>${services}</servicedir>
<policy context="default"><allow send_destination="*"/><allow receive_sender="*"/><allow own="*"/></policy></busconfig>`)
    const node = `"${process.execPath}" --import tsx ${q(STEPS)} ${q(configDir)} '[{}]'`
    const res = await run('dbus-run-session', [`--config-file=${join(tmp.dir, 'bus.conf')}`, '--', 'sh', '-c', node], cleanEnv(tmp.dir))
    const [report] = parseReport(res)
    assert.equal(report.kind, 'file', report.error)
    assert.ok(report.ms < 4000, `fell back after ${report.ms} ms`)
    assert.equal(report.warnings!.length, 1)
    assert.match(report.warnings![0], /OS keychain .* did not answer/)
  })
})
