import assert from 'node:assert/strict'
import {randomUUID} from 'node:crypto'
import {readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {API_APP_ID_URI, CLIENT_SECRET, CONFIDENTIAL_CLIENT_ID, DEFAULT_TENANT_ID, type Emulator, startEmulator} from '../emulator/index.js'
import {runCli, sandbox} from '../helpers/cli.js'
import {forgePfx, makeCertificate} from '../unit/cert-fixtures.js'

const PASSPHRASE = 'correct horse battery staple'
const PFX_PASSWORD = 'Pfx-Pa55word!'

describe('export-profile / import-profile end to end', () => {
  let emu: Emulator
  let source: ReturnType<typeof sandbox>
  let target: ReturnType<typeof sandbox>
  let sourceEnv: Record<string, string>
  let targetEnv: Record<string, string>
  const certApp = randomUUID()
  const outputs: string[] = []

  const cli = async (args: string[], env: Record<string, string>, input?: string) => {
    const res = await runCli(args, {env, input})
    outputs.push(res.stdout, res.stderr)
    return res
  }

  const profilesOf = (box: ReturnType<typeof sandbox>) => readFileSync(join(box.configDir, 'profiles.json'), 'utf8')
  const withPassphrase = (env: Record<string, string>, passphrase = PASSPHRASE) => ({...env, ENTRATOOL_EXPORT_PASSPHRASE: passphrase})
  const common = () => ['--tenant-id', DEFAULT_TENANT_ID, '--authority', emu.authority(), '--flow', 'client-credentials', '--scope', `${API_APP_ID_URI}/.default`]

  before(async () => {
    emu = await startEmulator()
    source = sandbox()
    target = sandbox()
    sourceEnv = {...source.env, ENTRATOOL_CA_FILE: emu.caFile}
    targetEnv = {...target.env, ENTRATOOL_CA_FILE: emu.caFile}
    const cert = makeCertificate()
    emu.control.registerApp({certificates: [cert.certPem], clientId: certApp})
    const pfx = join(source.home, 'app.pfx')
    writeFileSync(pfx, forgePfx(cert, PFX_PASSWORD))
    assert.equal((await cli(['create-profile', '--name', 'ci', '--client-id', CONFIDENTIAL_CLIENT_ID, ...common(), '--client-secret-stdin'], sourceEnv, CLIENT_SECRET)).code, 0)
    assert.equal((await cli(['create-profile', '--name', 'pfx', '--client-id', certApp, ...common(), '--certificate', pfx, '--certificate-password-stdin'], sourceEnv, PFX_PASSWORD)).code, 0)
    assert.equal((await cli(['get-token', '-p', 'ci'], sourceEnv)).code, 0)
    // A signed-in account, as a delegated flow leaves it: exports must never carry it.
    const file = JSON.parse(profilesOf(source))
    file.profiles.ci.account = {homeAccountId: 'uid.utid', username: 'alice@contoso.test'}
    writeFileSync(join(source.configDir, 'profiles.json'), JSON.stringify(file))
  })

  after(async () => {
    await emu?.stop()
    source?.cleanup()
    target?.cleanup()
  })

  it('exports all profiles to stdout without secrets, accounts or tokens, and says which secrets stayed behind', async () => {
    const res = await cli(['export-profile', '--all'], sourceEnv)
    assert.equal(res.code, 0, res.stderr)
    const doc = JSON.parse(res.stdout)
    assert.equal(doc.format, 'entratool-profiles')
    assert.equal(doc.version, 1)
    assert.deepEqual(doc.profiles.map((p: {name: string}) => p.name), ['ci', 'pfx'])
    for (const field of ['account', 'secretRef', 'certificatePasswordRef']) assert.ok(!res.stdout.includes(field), field)
    assert.match(res.stderr, /stored secrets of profile 'ci' are not exported/)
    assert.match(res.stderr, /stored secrets of profile 'pfx' are not exported/)
  })

  it('imports that export: the profiles arrive, without secrets', async () => {
    const exported = await cli(['export-profile', '--name', 'ci'], sourceEnv)
    const res = await cli(['import-profile', '--yes'], targetEnv, exported.stdout)
    assert.equal(res.code, 0, res.stderr)
    assert.match(res.stderr, /Imported profile 'ci'/)
    const imported = JSON.parse(profilesOf(target)).profiles.ci
    assert.equal(imported.clientId, CONFIDENTIAL_CLIENT_ID)
    assert.equal(imported.secretRef, undefined)
    assert.equal(imported.account, undefined)
    const token = await cli(['get-token', '-p', 'ci'], targetEnv)
    assert.equal(token.code, 3, 'no secret came along')
  })

  it('an existing profile is never replaced without --overwrite (exit 3, nothing changed)', async () => {
    const exported = await cli(['export-profile', '--name', 'ci'], sourceEnv)
    const before = profilesOf(target)
    const res = await cli(['import-profile', '--yes'], targetEnv, exported.stdout)
    assert.equal(res.code, 3)
    assert.match(res.stderr, /profile 'ci' already exists; nothing was imported/)
    assert.match(res.stderr, /--overwrite/)
    assert.equal(profilesOf(target), before)
  })

  it('exports with --include-secrets to a 0600 file, encrypted: no secret or profile detail in the clear', async () => {
    const file = join(source.home, 'all.json')
    const res = await cli(['export-profile', '--all', '--include-secrets', '--file', file], withPassphrase(sourceEnv))
    assert.equal(res.code, 0, res.stderr)
    assert.equal(res.stdout, '')
    assert.match(res.stderr, /Exported 2 profiles with secrets, encrypted/)
    assert.equal(statSync(file).mode & 0o777, 0o600)
    const text = readFileSync(file, 'utf8')
    for (const clear of [CLIENT_SECRET, PFX_PASSWORD, CONFIDENTIAL_CLIENT_ID, 'alice']) assert.ok(!text.includes(clear), clear)
    assert.equal(JSON.parse(text).encryption.kdf, 'scrypt')
    const again = await cli(['export-profile', '--all', '--include-secrets', '--file', file], withPassphrase(sourceEnv))
    assert.equal(again.code, 2)
    assert.match(again.stderr, /all\.json already exists/)
  })

  it('refuses a short passphrase, and asks for ENTRATOOL_EXPORT_PASSPHRASE when there is no terminal', async () => {
    const short = await cli(['export-profile', '--all', '--include-secrets'], withPassphrase(sourceEnv, 'short'))
    assert.equal(short.code, 2)
    assert.match(short.stderr, /at least 8 characters/)
    const none = await cli(['export-profile', '--all', '--include-secrets'], sourceEnv)
    assert.equal(none.code, 2)
    assert.match(none.stderr, /ENTRATOOL_EXPORT_PASSPHRASE/)
    assert.equal(none.stdout, '')
  })

  it('a wrong passphrase, a modified ciphertext or a modified header is refused, and nothing changes', async () => {
    const file = join(source.home, 'all.json')
    const before = profilesOf(target)
    const wrong = await cli(['import-profile', '--yes', '--file', file, '--overwrite'], withPassphrase(targetEnv, 'not the passphrase'))
    assert.equal(wrong.code, 2)
    assert.match(wrong.stderr, /the export file is damaged or the passphrase is wrong/)
    const doc = JSON.parse(readFileSync(file, 'utf8'))
    const flipped = Buffer.from(doc.ciphertext, 'base64')
    flipped[10] ^= 1
    const tamperedBody = join(source.home, 'tampered-body.json')
    writeFileSync(tamperedBody, JSON.stringify({...doc, ciphertext: flipped.toString('base64')}))
    const tamperedHead = join(source.home, 'tampered-head.json')
    writeFileSync(tamperedHead, JSON.stringify({...doc, exported_at: '2020-01-01T00:00:00.000Z'}))
    for (const tampered of [tamperedBody, tamperedHead]) {
      const res = await cli(['import-profile', '--yes', '--file', tampered, '--overwrite'], withPassphrase(targetEnv))
      assert.equal(res.code, 2, res.stderr)
      assert.match(res.stderr, /damaged or the passphrase is wrong/)
    }

    const badProfile = {exported_at: doc.exported_at, format: 'entratool-profiles', profiles: [{clientId: 'not-a-guid', createdAt: 'x', name: 'bad', tenantId: 'common', updatedAt: 'x'}], version: 1}
    const invalid = await cli(['import-profile', '--yes'], targetEnv, JSON.stringify(badProfile))
    assert.equal(invalid.code, 2)
    assert.match(invalid.stderr, /profile 'bad' in the export: client id 'not-a-guid' is invalid/)
    const newer = await cli(['import-profile', '--yes'], targetEnv, JSON.stringify({...badProfile, version: 2}))
    assert.equal(newer.code, 2)
    assert.match(newer.stderr, /format version 2; this entratool reads version 1/)
    const notExport = await cli(['import-profile', '--yes'], targetEnv, '{"hello": 1}')
    assert.equal(notExport.code, 2)
    assert.match(notExport.stderr, /not an entratool profile export/)
    assert.equal(profilesOf(target), before)
  })

  it('--dry-run decrypts and reports, and changes nothing', async () => {
    const before = profilesOf(target)
    const res = await cli(['import-profile', '--yes', '--file', join(source.home, 'all.json'), '--overwrite', '--dry-run'], withPassphrase(targetEnv))
    assert.equal(res.code, 0, res.stderr)
    assert.match(res.stderr, /Would replace profile 'ci' with its client secret/)
    assert.match(res.stderr, /Would create profile 'pfx' with its certificate password/)
    assert.match(res.stderr, /nothing was changed/)
    assert.equal(profilesOf(target), before)
  })

  it('imports the encrypted export with --overwrite: the imported secret and PFX password work', async () => {
    const res = await cli(['import-profile', '--yes', '--file', join(source.home, 'all.json'), '--overwrite'], withPassphrase(targetEnv))
    assert.equal(res.code, 0, res.stderr)
    assert.match(res.stderr, /Replaced profile 'ci' with its client secret/)
    assert.match(res.stderr, /Imported profile 'pfx' with its certificate password/)
    const stored = JSON.parse(profilesOf(target)).profiles
    assert.equal(stored.ci.secretRef, 'ci/client-secret')
    assert.equal(stored.pfx.certificatePasswordRef, 'pfx/certificate-password')
    assert.equal(stored.ci.account, undefined)
    for (const name of ['ci', 'pfx']) {
      const token = await cli(['get-token', '-p', name, '-o', 'json'], targetEnv)
      assert.equal(token.code, 0, token.stderr)
      assert.equal(JSON.parse(token.stdout).from_cache, false)
    }
  })

  it('--name imports a single profile under another name, and is refused for several', async () => {
    const one = await cli(['export-profile', '--name', 'ci', '--include-secrets'], withPassphrase(sourceEnv))
    const renamed = await cli(['import-profile', '--yes', '--name', 'ci-copy'], withPassphrase(targetEnv), one.stdout)
    assert.equal(renamed.code, 0, renamed.stderr)
    assert.equal(JSON.parse(profilesOf(target)).profiles['ci-copy'].secretRef, 'ci-copy/client-secret')
    assert.equal((await cli(['get-token', '-p', 'ci-copy'], targetEnv)).code, 0)
    const several = await cli(['import-profile', '--yes', '--file', join(source.home, 'all.json'), '--name', 'x'], withPassphrase(targetEnv))
    assert.equal(several.code, 2)
    assert.match(several.stderr, /--name renames a single profile, and the export holds 2/)
  })

  it('never shows a secret or the passphrase on stdout or stderr', () => {
    for (const text of outputs) for (const secret of [CLIENT_SECRET, PFX_PASSWORD, PASSPHRASE]) assert.ok(!text.includes(secret), text)
  })
})
