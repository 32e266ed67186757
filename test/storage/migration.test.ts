import assert from 'node:assert/strict'
import {join} from 'node:path'

import {inKeyring, keyringMissing, makeProfile, parseReport, q, STEPS, type StepReport, tempDir} from './helpers.js'

/**
 * Switching backends moves the secrets and the files' key instead of losing them. Each test runs
 * its processes one after another in one private D-Bus session with a real gnome-keyring.
 */
describe('storage: moving between the keychain and the encrypted file', function () {
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
  beforeEach(async () => {
    tmp = tempDir()
    configDir = join(tmp.dir, 'config')
    await makeProfile(configDir)
  })
  afterEach(() => tmp?.cleanup())

  /** Runs each plan as its own process, in order, without the variables in `unset`; one report per step. */
  async function processes(...plans: {unset?: string; steps: object[]}[]): Promise<StepReport[]> {
    const commands = plans.map((p) => `(${p.unset ? `unset ${p.unset}; ` : ''}node_ts ${q(STEPS)} ${q(configDir)} ${q(JSON.stringify(p.steps))}) && echo`)
    const res = await inKeyring(tmp.dir, commands.join(' && '))
    assert.equal(res.code, 0, res.stderr)
    return res.stdout.trim().split('\n').flatMap((line) => parseReport({...res, stdout: line}))
  }

  const ENTRY = 'prod/client-secret'

  it('keychain → file → keychain keeps the secret and the cached tokens readable, leaving no copy behind', async () => {
    const [keychain, toFile, toKeychain] = await processes(
      {steps: [{ops: [['set', ENTRY, 'the-secret'], ['write', 'prod.msal', 'msal-cache']]}]},
      {steps: [{env: {ENTRATOOL_STORAGE: 'file'}, ops: [['get', ENTRY], ['read', 'prod.msal'], ['keychain', ENTRY], ['keychain', 'file-key'], ['exists', 'keys/file.key']]}]},
      {steps: [{env: {ENTRATOOL_STORAGE: 'keychain'}, ops: [['get', ENTRY], ['read', 'prod.msal'], ['keychain', ENTRY], ['exists', 'keys/file.key'], ['exists', 'secrets/prod%2Fclient-secret.enc']]}]},
    )
    assert.equal(keychain.kind, 'keychain', keychain.error)
    assert.equal(toFile.kind, 'file', toFile.error)
    assert.deepEqual(toFile.warnings, [])
    assert.deepEqual(toFile.results, ['the-secret', 'msal-cache', null, null, 'yes'])
    assert.equal(toKeychain.kind, 'keychain', toKeychain.error)
    assert.deepEqual(toKeychain.warnings, [])
    assert.deepEqual(toKeychain.results, ['the-secret', 'msal-cache', 'the-secret', 'no', 'no'])
  })

  it('file with a passphrase → keychain → file with another passphrase re-encrypts what the key cannot follow', async () => {
    // The passphrase is still needed for the move out of the file it protects.
    const [file, keychain, other] = await processes(
      {steps: [{env: {ENTRATOOL_CACHE_PASSPHRASE: 'first', ENTRATOOL_STORAGE: 'file'}, ops: [['set', ENTRY, 'the-secret'], ['write', 'prod.tokens', 'tokens']]}]},
      {steps: [{env: {ENTRATOOL_CACHE_PASSPHRASE: 'first', ENTRATOOL_STORAGE: 'keychain'}, ops: [['get', ENTRY], ['read', 'prod.tokens']]}]},
      {steps: [{env: {ENTRATOOL_CACHE_PASSPHRASE: 'second', ENTRATOOL_STORAGE: 'file'}, ops: [['get', ENTRY], ['read', 'prod.tokens'], ['keychain', 'file-key']]}]},
    )
    assert.equal(file.kind, 'file', file.error)
    assert.match(file.description!.tokens, /ENTRATOOL_CACHE_PASSPHRASE/)
    assert.deepEqual(keychain.warnings, [])
    assert.deepEqual(keychain.results, ['the-secret', 'tokens'])
    assert.equal(other.kind, 'file', other.error)
    assert.deepEqual(other.warnings, [])
    assert.deepEqual(other.results, ['the-secret', 'tokens', null])
  })

  it('warns once and deletes nothing when the old keychain cannot be read; going back finds the secret', async () => {
    const [keychain, blind, again, back] = await processes(
      {steps: [{ops: [['set', ENTRY, 'the-secret']]}]},
      {steps: [{env: {ENTRATOOL_STORAGE: 'file'}, ops: [['get', ENTRY]]}], unset: 'DBUS_SESSION_BUS_ADDRESS'},
      {steps: [{env: {ENTRATOOL_STORAGE: 'file'}, ops: [['keychain', ENTRY]]}]},
      {steps: [{env: {ENTRATOOL_STORAGE: 'keychain'}, ops: [['get', ENTRY]]}]},
    )
    assert.equal(keychain.kind, 'keychain', keychain.error)
    assert.equal(blind.kind, 'file', blind.error)
    assert.ok(blind.ms < 4000, `took ${blind.ms} ms`)
    assert.equal(blind.warnings!.length, 1)
    assert.match(blind.warnings![0], /could not all be read from the keychain backend .*ENTRATOOL_STORAGE=keychain/)
    assert.deepEqual(blind.results, [null])
    assert.deepEqual(again.warnings, [], 'warned once')
    assert.deepEqual(again.results, ['the-secret'], 'still in the keychain')
    assert.equal(back.kind, 'keychain', back.error)
    assert.deepEqual(back.results, ['the-secret'])
  })
})
