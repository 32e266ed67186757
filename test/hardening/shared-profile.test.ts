import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {API_APP_ID_URI, CLIENT_SECRET, CONFIDENTIAL_CLIENT_ID, DEFAULT_TENANT_ID, type Emulator} from '../emulator/index.js'
import {closeEmulatorSandbox, emulatorSandbox, runCli, type Sandbox} from '../helpers/cli.js'
import {recordFigure} from './figures.js'

const KEY_MATERIAL = 'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ-private-key-material'

describe('shared profiles and hostile files: nothing is sent where the user never looked', function () {
  this.timeout(120_000)
  let emu: Emulator
  let box: Sandbox
  let env: Record<string, string>
  let cases = 0
  let sshKey: string
  const profilesFile = () => join(box.configDir, 'profiles.json')
  const profiles = () => (existsSync(profilesFile()) ? readFileSync(profilesFile(), 'utf8') : '')

  const exportOf = (profile: Record<string, unknown>) =>
    JSON.stringify({exported_at: new Date().toISOString(), format: 'entratool-profiles', profiles: [{clientId: CONFIDENTIAL_CLIENT_ID, createdAt: '2026-01-01T00:00:00.000Z', flow: 'client-credentials', name: 'team-prod', scopes: [`${API_APP_ID_URI}/.default`], tenantId: DEFAULT_TENANT_ID, updatedAt: '2026-01-01T00:00:00.000Z', ...profile}], version: 1})

  before(async () => {
    ;({box, emu, env} = await emulatorSandbox())
    const res = await runCli(['create-profile', '--name', 'app', '--tenant-id', DEFAULT_TENANT_ID, '--client-id', CONFIDENTIAL_CLIENT_ID, '--authority', emu.authority(), '--flow', 'client-credentials', '--scope', `${API_APP_ID_URI}/.default`, '--client-secret-stdin'], {env, input: CLIENT_SECRET})
    assert.equal(res.code, 0, res.stderr)
    mkdirSync(join(box.home, '.ssh'))
    sshKey = join(box.home, '.ssh', 'id_rsa')
    writeFileSync(sshKey, `-----BEGIN OPENSSH PRIVATE KEY-----\n${KEY_MATERIAL}\n-----END OPENSSH PRIVATE KEY-----\n`, {mode: 0o600})
    execFileSync('mkfifo', [join(box.home, 'fifo')])
    mkdirSync(join(box.home, 'dir'))
  })

  after(async () => {
    recordFigure('hostileCases', cases)
    await closeEmulatorSandbox(emu, box)
  })

  const userinfo = () => `https://login.microsoftonline.com@${new URL(emu.url).host}/${DEFAULT_TENANT_ID}`

  it('an authority with userinfo is refused everywhere: import, create-profile, --authority, a hand-edited profile', async () => {
    const before = profiles()
    emu.control.clearRequests()
    const imported = await runCli(['import-profile', '--yes'], {env, input: exportOf({authority: userinfo()})})
    assert.equal(imported.code, 2, imported.stderr)
    assert.match(imported.stderr, new RegExp(`real host is ${new URL(emu.url).host.replaceAll('.', String.raw`\.`)}`))
    const created = await runCli(['create-profile', '--name', 'x', '--tenant-id', DEFAULT_TENANT_ID, '--client-id', CONFIDENTIAL_CLIENT_ID, '--authority', userinfo()], {env})
    assert.equal(created.code, 2, created.stderr)
    const flagged = await runCli(['get-token', '--tenant', DEFAULT_TENANT_ID, '--client-id', CONFIDENTIAL_CLIENT_ID, '--authority', userinfo(), '--flow', 'client-credentials', '--scope', `${API_APP_ID_URI}/.default`], {env: {...env, ENTRATOOL_CLIENT_SECRET: CLIENT_SECRET}})
    assert.equal(flagged.code, 2, flagged.stderr)
    assert.equal(profiles(), before)
    const file = JSON.parse(before)
    file.profiles.app.authority = userinfo()
    writeFileSync(profilesFile(), JSON.stringify(file))
    const edited = await runCli(['get-token', '-p', 'app', '--force'], {env: {...env, ENTRATOOL_CLIENT_SECRET: CLIENT_SECRET}})
    assert.equal(edited.code, 3, edited.stderr)
    writeFileSync(profilesFile(), before)
    assert.equal(emu.control.requests().filter((r) => r.endpoint === 'token').length, 0)
    cases += 4
  })

  it('the phishing file: a non-Microsoft host and a federated token file → shown, and refused without --yes', async () => {
    const before = profiles()
    const phishing = exportOf({authority: emu.authority(), federatedTokenFile: sshKey})
    const host = new URL(emu.url).host
    const refused = await runCli(['import-profile'], {env, input: phishing})
    assert.equal(refused.code, 2, refused.stderr)
    assert.ok(refused.stderr.includes(`tokens from ${host} (NOT a Microsoft cloud)`), refused.stderr)
    assert.ok(refused.stderr.includes(`reads ${sshKey}`), refused.stderr)
    assert.match(refused.stderr, /--yes/)
    assert.equal(profiles(), before)

    const dry = await runCli(['import-profile', '--dry-run'], {env, input: phishing})
    assert.equal(dry.code, 0, dry.stderr)
    assert.ok(dry.stderr.includes(`tokens from ${host}`) && dry.stderr.includes(`reads ${sshKey}`), dry.stderr)
    assert.equal(profiles(), before)

    const agreed = await runCli(['import-profile', '--yes'], {env, input: phishing})
    assert.equal(agreed.code, 0, agreed.stderr)
    emu.control.clearRequests()
    const res = await runCli(['get-token', '-p', 'team-prod'], {env})
    assert.equal(res.code, 3, res.stderr)
    assert.match(res.stderr, /does not hold a JWT; its content was not sent/)
    assert.equal(emu.control.requests().filter((r) => r.endpoint === 'token').length, 0)
    assert.ok(!emu.control.secretsSeen().some((s) => s.includes(KEY_MATERIAL)))
    assert.equal((await runCli(['delete-profile', '--name', 'team-prod'], {env})).code, 0)
    cases += 3
  })

  it('a profile on a Microsoft cloud with no files imports without asking, as before', async () => {
    const res = await runCli(['import-profile'], {env, input: exportOf({authority: 'https://login.microsoftonline.com', name: 'plain'})})
    assert.equal(res.code, 0, res.stderr)
    assert.match(res.stderr, /tokens from login\.microsoftonline\.com \(Microsoft cloud\)/)
    assert.equal((await runCli(['delete-profile', '--name', 'plain'], {env})).code, 0)
    cases++
  })

  it('an import larger than 1 MB is refused before it is parsed', async () => {
    const big = join(box.home, 'big.json')
    writeFileSync(big, exportOf({authority: 'https://login.microsoftonline.com', padding: 'x'.repeat(2 * 1024 * 1024)}))
    const fromFile = await runCli(['import-profile', '--file', big], {env})
    assert.equal(fromFile.code, 2, fromFile.stderr)
    assert.match(fromFile.stderr, /larger than 1 MB/)
    const fromStdin = await runCli(['import-profile'], {env, input: readFileSync(big, 'utf8')})
    assert.equal(fromStdin.code, 2, fromStdin.stderr)
    cases += 2
  })

  const files: Array<[string, string]> = [
    ['a FIFO', 'fifo'],
    ['/dev/zero', '/dev/zero'],
    ['a directory', 'dir'],
  ]
  for (const [what, name] of files) {
    it(`${what} as a certificate, a CA file or a federated token file → a clear error at once`, async () => {
      const path = name.startsWith('/') ? name : join(box.home, name)
      const started = Date.now()
      const cert = await runCli(['create-profile', '--name', 'c', '--tenant-id', DEFAULT_TENANT_ID, '--client-id', CONFIDENTIAL_CLIENT_ID, '--certificate', path], {env, timeoutMs: 20_000})
      assert.equal(cert.code, 2, cert.stderr)
      assert.match(cert.stderr, /not a regular file|is a directory/)
      const ca = await runCli(['get-token', '-p', 'app', '--force'], {env: {...env, ENTRATOOL_CA_FILE: path}, timeoutMs: 20_000})
      assert.equal(ca.code, 2, ca.stderr)
      assert.match(ca.stderr, /not a regular file|is a directory/)
      const federated = await runCli(['get-token', '--tenant', DEFAULT_TENANT_ID, '--client-id', CONFIDENTIAL_CLIENT_ID, '--authority', emu.authority(), '--flow', 'client-credentials', '--scope', `${API_APP_ID_URI}/.default`, '--force'], {env: {...env, AZURE_FEDERATED_TOKEN_FILE: path}, timeoutMs: 20_000})
      assert.equal(federated.code, 3, federated.stderr)
      assert.match(federated.stderr, /not a regular file|is a directory/)
      assert.ok(Date.now() - started < 15_000, `took ${Date.now() - started} ms`)
      cases += 3
    })
  }
})
