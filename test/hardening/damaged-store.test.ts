import assert from 'node:assert/strict'
import {existsSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {API_APP_ID_URI, CLIENT_SECRET, CONFIDENTIAL_CLIENT_ID, DEFAULT_TENANT_ID, type Emulator, PUBLIC_CLIENT_ID} from '../emulator/index.js'
import {closeEmulatorSandbox, emulatorSandbox, runCli, type Sandbox} from '../helpers/cli.js'
import {recordFigure} from './figures.js'

describe('damaged stores and hand-edited files: a clear error, never "this is a bug"', function () {
  this.timeout(120_000)
  let emu: Emulator
  let box: Sandbox
  let env: Record<string, string>
  let cases = 0
  const profilesFile = () => join(box.configDir, 'profiles.json')

  before(async () => {
    ;({box, emu, env} = await emulatorSandbox({ENTRATOOL_STORAGE: 'file'}))
    const res = await runCli(['create-profile', '--name', 'app', '--tenant-id', DEFAULT_TENANT_ID, '--client-id', CONFIDENTIAL_CLIENT_ID, '--authority', emu.authority(), '--flow', 'client-credentials', '--scope', `${API_APP_ID_URI}/.default`, '--client-secret-stdin'], {env, input: CLIENT_SECRET})
    assert.equal(res.code, 0, res.stderr)
  })

  after(async () => {
    recordFigure('hostileCases', cases)
    await closeEmulatorSandbox(emu, box)
  })

  for (const name of ['__proto__', 'constructor', 'prototype']) {
    it(`a profile named ${name} is refused by create-profile and import-profile, and no secret is stored`, async () => {
      const before = readFileSync(profilesFile(), 'utf8')
      const secrets = readdirSync(join(box.configDir, 'secrets')).sort()
      const created = await runCli(['create-profile', '--name', name, '--tenant-id', DEFAULT_TENANT_ID, '--client-id', CONFIDENTIAL_CLIENT_ID, '--client-secret-stdin'], {env, input: 'orphan-secret'})
      assert.equal(created.code, 2, created.stderr)
      assert.match(created.stderr, /reserved/)
      const doc = {exported_at: new Date().toISOString(), format: 'entratool-profiles', profiles: [{clientId: PUBLIC_CLIENT_ID, createdAt: '2026-01-01T00:00:00.000Z', name, tenantId: DEFAULT_TENANT_ID, updatedAt: '2026-01-01T00:00:00.000Z'}], version: 1}
      const imported = await runCli(['import-profile'], {env, input: JSON.stringify(doc)})
      assert.equal(imported.code, 2, imported.stderr)
      assert.equal(readFileSync(profilesFile(), 'utf8'), before)
      assert.deepEqual(readdirSync(join(box.configDir, 'secrets')).sort(), secrets)
      cases++
    })
  }

  for (const range of [[70_000, 70_001], [-5, -1], [0, 0], [9000, 8000]]) {
    it(`a hand-edited portRange ${JSON.stringify(range)} → exit 3 naming it, not a crash`, async () => {
      const before = readFileSync(profilesFile(), 'utf8')
      const file = JSON.parse(before)
      file.profiles.app.portRange = range
      writeFileSync(profilesFile(), JSON.stringify(file))
      try {
        for (const argv of [['get-token', '-p', 'app', '--flow', 'interactive', '--force'], ['list-profiles']]) {
          const res = await runCli(argv, {env})
          assert.equal(res.code, 3, res.stderr)
          assert.match(res.stderr, /invalid port range/)
          assert.doesNotMatch(res.stderr, /this is a bug/)
        }
      } finally {
        writeFileSync(profilesFile(), before)
      }

      cases++
    })
  }

  it('profiles.json fields with control characters (an imported path with escapes) are refused', async () => {
    const doc = {exported_at: new Date().toISOString(), format: 'entratool-profiles', profiles: [{caFile: '/tmp/ca\u001B]0;pwned\u0007.pem', clientId: PUBLIC_CLIENT_ID, createdAt: '2026-01-01T00:00:00.000Z', name: 'escapes', tenantId: DEFAULT_TENANT_ID, updatedAt: '2026-01-01T00:00:00.000Z'}], version: 1}
    const res = await runCli(['import-profile', '--yes'], {env, input: JSON.stringify(doc)})
    assert.equal(res.code, 2, res.stderr)
    assert.match(res.stderr, /control characters/)
    assert.ok(!existsSync(join(box.configDir, 'secrets', 'escapes%2Fclient-secret.enc')))
    cases++
  })

  it('20 concurrent create-profile --force and delete-profile on one name never leave a profile without its secret', async () => {
    for (let round = 0; round < 2; round++) {
      const runs = Array.from({length: 20}, (_, i) =>
        i % 2 === 0
          ? runCli(['create-profile', '--name', 'race', '--force', '--tenant-id', DEFAULT_TENANT_ID, '--client-id', CONFIDENTIAL_CLIENT_ID, '--flow', 'client-credentials', '--client-secret-stdin'], {env, input: `secret-${round}-${i}`})
          : runCli(['delete-profile', '--name', 'race'], {env}),
      )
      for (const res of await Promise.all(runs)) assert.ok(res.code === 0 || (res.code === 3 && /does not exist/.test(res.stderr)), res.stderr)
      const file = JSON.parse(readFileSync(profilesFile(), 'utf8'))
      if (file.profiles.race) {
        assert.ok(file.profiles.race.secretRef, 'the profile names its secret')
        assert.ok(existsSync(join(box.configDir, 'secrets', 'race%2Fclient-secret.enc')), `round ${round}: profile 'race' exists but its secret was deleted`)
      }
    }

    cases++
  })

  describe('keys: changed, wrong or lost → exit 6 naming the cause and the fix', () => {
    const get = (extra: Record<string, string> = {}) => runCli(['get-token', '-p', 'app', '--force'], {env: {...env, ...extra}})
    const keyPath = () => join(box.configDir, 'keys', 'file.key')

    it('a passphrase set after secrets were stored with the key file → exit 6; rekey moves them; then it works', async () => {
      assert.equal((await get()).code, 0)
      const list = await runCli(['list-profiles'], {env: {...env, ENTRATOOL_CACHE_PASSPHRASE: 'first passphrase'}})
      assert.equal(list.code, 6, list.stderr)
      assert.doesNotMatch(list.stdout, /derived from ENTRATOOL_CACHE_PASSPHRASE/)
      const res = await get({ENTRATOOL_CACHE_PASSPHRASE: 'first passphrase'})
      assert.equal(res.code, 6, res.stderr)
      assert.match(res.stderr, /ENTRATOOL_CACHE_PASSPHRASE is set, but the stored secrets and tokens were written with the key file/)
      assert.match(res.stderr, /entratool rekey/)
      assert.doesNotMatch(res.stderr, /this is a bug/)
      const rekeyed = await runCli(['rekey'], {env: {...env, ENTRATOOL_CACHE_PASSPHRASE: 'first passphrase'}})
      assert.equal(rekeyed.code, 0, rekeyed.stderr)
      assert.equal((await get({ENTRATOOL_CACHE_PASSPHRASE: 'first passphrase'})).code, 0)
      const listed = await runCli(['list-profiles'], {env: {...env, ENTRATOOL_CACHE_PASSPHRASE: 'first passphrase'}})
      assert.match(listed.stdout, /derived from ENTRATOOL_CACHE_PASSPHRASE/)
      cases += 2
    })

    it('a wrong passphrase → exit 6 "the passphrase does not match"; the old one and rekey change it', async () => {
      const wrong = await get({ENTRATOOL_CACHE_PASSPHRASE: 'second passphrase'})
      assert.equal(wrong.code, 6, wrong.stderr)
      assert.match(wrong.stderr, /the passphrase does not match the one these files were written with/)
      assert.match(wrong.stderr, /ENTRATOOL_OLD_CACHE_PASSPHRASE/)
      const changed = await runCli(['rekey'], {env: {...env, ENTRATOOL_CACHE_PASSPHRASE: 'second passphrase', ENTRATOOL_OLD_CACHE_PASSPHRASE: 'first passphrase'}})
      assert.equal(changed.code, 0, changed.stderr)
      assert.equal((await get({ENTRATOOL_CACHE_PASSPHRASE: 'second passphrase'})).code, 0)
      // Back to the key file, for the next cases.
      const back = await runCli(['rekey'], {env: {...env, ENTRATOOL_OLD_CACHE_PASSPHRASE: 'second passphrase'}})
      assert.equal(back.code, 0, back.stderr)
      assert.equal((await get()).code, 0)
      cases++
    })

    it('a damaged token file is a miss with one warning, every time', async () => {
      for (let i = 0; i < 2; i++) {
        writeFileSync(join(box.configDir, 'cache', 'app.tokens.enc'), 'garbage')
        const res = await runCli(['get-token', '-p', 'app'], {env})
        assert.equal(res.code, 0, res.stderr)
        assert.equal(res.stderr.match(/Warning: the cached tokens in .* are damaged/g)?.length, 1, res.stderr)
      }

      cases++
    })

    it('a secret that cannot be decrypted → exit 6 naming the profile and how to store it again', async () => {
      const file = join(box.configDir, 'secrets', 'app%2Fclient-secret.enc')
      const good = readFileSync(file)
      const damaged = Buffer.from(good)
      damaged[damaged.length - 1] ^= 0xff
      writeFileSync(file, damaged)
      try {
        const res = await get()
        assert.equal(res.code, 6, res.stderr)
        assert.match(res.stderr, /client secret of profile 'app' cannot be decrypted/)
        assert.match(res.stderr, /edit-profile --name app --client-secret-stdin/)
      } finally {
        writeFileSync(file, good)
      }

      cases++
    })

    it('a deleted key file → exit 6 naming it; rekey --discard removes what cannot be opened', async () => {
      const key = readFileSync(keyPath())
      rmSync(keyPath())
      const res = await get()
      assert.equal(res.code, 6, res.stderr)
      assert.match(res.stderr, /the key file .*file\.key does not match the one these files were written with/)
      assert.match(res.stderr, /rekey --discard/)
      writeFileSync(keyPath(), key, {mode: 0o600})
      assert.equal((await get()).code, 0)
      // Lost for good: --discard removes what no key opens, names the secret to store again, and works on.
      rmSync(keyPath())
      const discarded = await runCli(['rekey', '--discard'], {env})
      assert.equal(discarded.code, 0, discarded.stderr)
      assert.match(discarded.stderr, /client secret of profile 'app' could not be opened and was removed; store it again with `entratool edit-profile --name app --client-secret-stdin`/)
      const after = await get()
      assert.equal(after.code, 3, after.stderr)
      assert.match(after.stderr, /no client credential/)
      cases++
    })
  })
})
