import {createLocalJWKSet, jwtVerify} from 'jose'
import assert from 'node:assert/strict'
import {randomUUID} from 'node:crypto'
import {readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {join, relative} from 'node:path'

import {emulatorRequest} from '../emulator/http-client.js'
import {API_APP_ID_URI, DEFAULT_TENANT_ID, type Emulator} from '../emulator/index.js'
import {type CliResult, closeEmulatorSandbox, emulatorSandbox, runCli, type Sandbox} from '../helpers/cli.js'
import {type Certificate, expiredCertificate, forgePfx, makeCertificate} from '../unit/cert-fixtures.js'

const PFX_PASSWORD = 'Pfx-Pa55word!'
const SUBJECT = 'system:serviceaccount:apps:worker'
const pem = (c: Certificate) => c.certPem + c.keyPem

describe('certificate and federated credentials end to end (subprocess CLI → plugin → MSAL → emulator)', () => {
  let emu: Emulator
  let box: Sandbox
  let env: Record<string, string>
  let cert: Certificate
  const certApp = randomUUID()
  const federatedApp = randomUUID()
  const argvSeen: string[][] = []
  const outputs: CliResult[] = []

  const file = (name: string, data: Buffer | string) => {
    const path = join(box.home, name)
    writeFileSync(path, data)
    return path
  }

  /** Runs the CLI and keeps argv and output, so the last test can search them for secrets. */
  const cli = async (args: string[], options: {env?: Record<string, string | undefined>; input?: string} = {}) => {
    argvSeen.push(args)
    const result = await runCli(args, {env: {...env, ...options.env}, input: options.input})
    outputs.push(result)
    return result
  }

  const createArgs = (name: string, clientId: string, extra: string[]) => ['create-profile', '--name', name, '--tenant-id', DEFAULT_TENANT_ID, '--client-id', clientId, '--authority', emu.authority(), '--flow', 'client-credentials', '--scope', `${API_APP_ID_URI}/.default`, ...extra]

  async function verifyAppToken(res: CliResult, clientId: string) {
    assert.equal(res.code, 0, res.stderr)
    const doc = JSON.parse(res.stdout)
    const jwks = (await emulatorRequest(emu, 'GET', `/${DEFAULT_TENANT_ID}/discovery/v2.0/keys`)).json()
    const {payload} = await jwtVerify(doc.access_token, createLocalJWKSet(jwks as never), {audience: API_APP_ID_URI})
    assert.equal(payload.idtyp, 'app')
    assert.equal(payload.azp ?? payload.appid, clientId)
    assert.equal(doc.account, null)
  }

  before(async () => {
    ;({box, emu, env} = await emulatorSandbox())
    cert = makeCertificate()
    emu.control.registerApp({certificates: [cert.certPem], clientId: certApp, roles: ['Data.Read.All']})
    emu.control.registerApp({clientId: federatedApp, federatedCredentials: [{issuer: `${emu.url}/_emulator/oidc`, subject: SUBJECT}]})
  })

  after(() => closeEmulatorSandbox(emu, box))

  describe('certificates', () => {
    it('a PEM profile (certificate and key in one file) gets an application token', async () => {
      const created = await cli(createArgs('pem', certApp, ['--certificate', file('app.pem', pem(cert))]))
      assert.equal(created.code, 0, created.stderr)
      await verifyAppToken(await cli(['get-token', '-p', 'pem', '-o', 'json']), certApp)
    })

    it('asks again with a newly signed assertion on --force (a reused jti would be refused)', async () => {
      await verifyAppToken(await cli(['get-token', '-p', 'pem', '-o', 'json', '--force']), certApp)
      await verifyAppToken(await cli(['get-token', '-p', 'pem', '-o', 'json', '--force']), certApp)
    })

    it('a PEM certificate with its key in --private-key, stored as absolute paths', async () => {
      file('cert.pem', cert.certPem)
      file('key.pem', cert.keyPem)
      // The subprocess runs in this process's working directory; the profile must not depend on it.
      const ok = await cli(createArgs('pem-key', certApp, ['--certificate', relative(process.cwd(), join(box.home, 'cert.pem')), '--private-key', join(box.home, 'key.pem')]))
      assert.equal(ok.code, 0, ok.stderr)
      const stored = JSON.parse(readFileSync(join(box.configDir, 'profiles.json'), 'utf8')).profiles['pem-key']
      assert.equal(stored.certificatePath, join(box.home, 'cert.pem'))
      assert.equal(stored.privateKeyPath, join(box.home, 'key.pem'))
      await verifyAppToken(await cli(['get-token', '-p', 'pem-key', '-o', 'json']), certApp)
    })

    it('a PFX profile with its password from stdin, kept in secure storage only', async () => {
      const created = await cli(createArgs('pfx', certApp, ['--certificate', file('app.pfx', forgePfx(cert, PFX_PASSWORD)), '--certificate-password-stdin']), {input: PFX_PASSWORD})
      assert.equal(created.code, 0, created.stderr)
      const stored = JSON.parse(readFileSync(join(box.configDir, 'profiles.json'), 'utf8')).profiles.pfx
      assert.equal(stored.certificatePasswordRef, 'pfx/certificate-password')
      await verifyAppToken(await cli(['get-token', '-p', 'pfx', '-o', 'json']), certApp)
    })

    it('a PFX profile with its password from ENTRATOOL_CERTIFICATE_PASSWORD', async () => {
      const passwordEnv = {ENTRATOOL_CERTIFICATE_PASSWORD: PFX_PASSWORD}
      const created = await cli(createArgs('pfx-env', certApp, ['--certificate', join(box.home, 'app.pfx')]), {env: passwordEnv})
      assert.equal(created.code, 0, created.stderr)
      assert.equal(JSON.parse(readFileSync(join(box.configDir, 'profiles.json'), 'utf8')).profiles['pfx-env'].certificatePasswordRef, undefined)
      await verifyAppToken(await cli(['get-token', '-p', 'pfx-env', '-o', 'json'], {env: passwordEnv}), certApp)
      const without = await cli(['get-token', '-p', 'pfx-env', '--force'])
      assert.equal(without.code, 3)
      assert.match(without.stderr, /protected by a password and none was given/)
    })

    it('sends x5c with --send-x5c (seen in --debug), and --debug shows no key or password', async () => {
      const created = await cli(createArgs('x5c', certApp, ['--certificate', join(box.home, 'app.pfx'), '--send-x5c', '--certificate-password-stdin']), {input: PFX_PASSWORD})
      assert.equal(created.code, 0, created.stderr)
      const res = await cli(['get-token', '-p', 'x5c', '-o', 'json', '--debug'])
      await verifyAppToken(res, certApp)
      assert.match(res.stderr, new RegExp(`x5t#S256 ${cert.thumbprint}, valid until .*, x5c sent \\(1 certificate\\(s\\)\\)`))
      assert.match(res.stderr, /signed a new client assertion for https:\/\/127\.0\.0\.1:\d+\/[\w-]+\/oauth2\/v2\.0\/token/)
      const plain = await cli(['get-token', '-p', 'pem', '--force', '--debug'])
      assert.match(plain.stderr, /x5c not sent/)
    })

    it('edit-profile checks a new certificate or password, and a new combined PEM drops the old --private-key', async () => {
      const profiles = () => JSON.parse(readFileSync(join(box.configDir, 'profiles.json'), 'utf8')).profiles
      const badPassword = await cli(['edit-profile', '--name', 'pfx', '--certificate-password-stdin'], {input: 'not-the-password'})
      assert.equal(badPassword.code, 2)
      assert.match(badPassword.stderr, /password of .*app\.pfx is wrong/)
      const notCert = await cli(['edit-profile', '--name', 'pem-key', '--certificate', join(box.home, 'key.pem')])
      assert.equal(notCert.code, 2)
      assert.match(notCert.stderr, /holds no certificate/)
      assert.equal(profiles()['pem-key'].certificatePath, join(box.home, 'cert.pem'))
      const edited = await cli(['edit-profile', '--name', 'pem-key', '--certificate', join(box.home, 'app.pem')])
      assert.equal(edited.code, 0, edited.stderr)
      assert.equal(profiles()['pem-key'].privateKeyPath, undefined)
      await verifyAppToken(await cli(['get-token', '-p', 'pem-key', '-o', 'json', '--force']), certApp)
    })

    const refusedAtCreate: Array<[string, () => string[], RegExp]> = [
      ['a missing file', () => ['--certificate', join(box.home, 'missing.pem')], /--certificate .*missing\.pem does not exist/],
      ['a file that is not a certificate', () => ['--certificate', file('notes.txt', 'not a certificate')], /notes\.txt is not a usable certificate/],
      ['a key that does not match', () => ['--certificate', join(box.home, 'cert.pem'), '--private-key', file('other.key', makeCertificate().keyPem)], /private key does not belong to the certificate/],
      ['an expired certificate', () => ['--certificate', file('expired.pem', pem(expiredCertificate()))], /expired on \d{4}-/],
      ['a wrong PFX password', () => ['--certificate', join(box.home, 'app.pfx'), '--certificate-password-stdin'], /password of .*app\.pfx is wrong/],
      ['--private-key without --certificate', () => ['--private-key', join(box.home, 'key.pem')], /--private-key needs --certificate/],
    ]
    for (const [name, extra, message] of refusedAtCreate) {
      it(`create-profile refuses ${name} with exit 2 and writes nothing`, async () => {
        const before = readFileSync(join(box.configDir, 'profiles.json'), 'utf8')
        const res = await cli(createArgs('refused', certApp, extra()), {input: 'wrong-password'})
        assert.equal(res.code, 2, res.stderr)
        assert.match(res.stderr, message)
        assert.equal(readFileSync(join(box.configDir, 'profiles.json'), 'utf8'), before)
      })
    }

    it('get-token exits 3 before any request when the profile points at a missing, replaced or expired file', async () => {
      file('moving.pem', pem(cert))
      assert.equal((await cli(createArgs('moving', certApp, ['--certificate', join(box.home, 'moving.pem')]))).code, 0)
      emu.control.clearRequests()
      rmSync(join(box.home, 'moving.pem'))
      const missing = await cli(['get-token', '-p', 'moving'])
      assert.equal(missing.code, 3, missing.stderr)
      assert.match(missing.stderr, /certificate file .*moving\.pem of profile 'moving' does not exist/)
      assert.match(missing.stderr, /edit-profile --name moving --certificate/)
      const expired = expiredCertificate()
      file('moving.pem', pem(expired))
      const stale = await cli(['get-token', '-p', 'moving'])
      assert.equal(stale.code, 3)
      assert.match(stale.stderr, /expired on/)
      file('moving.pem', 'garbage')
      assert.equal((await cli(['get-token', '-p', 'moving'])).code, 3)
      const wrongPassword = await cli(['get-token', '-p', 'pfx', '--force'], {env: {ENTRATOOL_CERTIFICATE_PASSWORD: 'not-it'}})
      assert.equal(wrongPassword.code, 3)
      assert.match(wrongPassword.stderr, /the password is wrong/)
      assert.deepEqual(emu.control.requests(), [])
    })

    it('a certificate the app does not know is refused by the authority: AADSTS700027, exit 4', async () => {
      const stranger = makeCertificate({commonName: 'not registered'})
      assert.equal((await cli(createArgs('stranger', certApp, ['--certificate', file('stranger.pem', pem(stranger))]))).code, 0)
      const res = await cli(['get-token', '-p', 'stranger'])
      assert.equal(res.code, 4, res.stderr)
      assert.match(res.stderr, /AADSTS700027/)
      assert.match(res.stderr, /not registered on the app/)
      assert.equal(res.stdout, '')
    })
  })

  describe('federated token files (workload identity)', () => {
    const workloadEnv = () => ({AZURE_AUTHORITY_HOST: emu.url, AZURE_CLIENT_ID: federatedApp, AZURE_FEDERATED_TOKEN_FILE: join(box.home, 'token'), AZURE_TENANT_ID: DEFAULT_TENANT_ID})

    it('creates a profile from AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_FEDERATED_TOKEN_FILE alone, and gets a token', async () => {
      file('token', emu.control.mintFederatedToken({subject: SUBJECT}))
      const created = await cli(['create-profile', '--name', 'wi', '--scope', `${API_APP_ID_URI}/.default`], {env: workloadEnv()})
      assert.equal(created.code, 0, created.stderr)
      const stored = JSON.parse(readFileSync(join(box.configDir, 'profiles.json'), 'utf8')).profiles.wi
      assert.deepEqual([stored.clientId, stored.tenantId, stored.flow, stored.federatedTokenFile], [federatedApp, DEFAULT_TENANT_ID, 'client-credentials', join(box.home, 'token')])
      await verifyAppToken(await cli(['get-token', '-p', 'wi', '-o', 'json']), federatedApp)
    })

    it('reads the rotated file on the next --force call', async () => {
      file('token', emu.control.mintFederatedToken({subject: 'system:serviceaccount:apps:someone-else'}))
      const rotatedToStranger = await cli(['get-token', '-p', 'wi', '--force'])
      assert.equal(rotatedToStranger.code, 4, rotatedToStranger.stderr)
      assert.match(rotatedToStranger.stderr, /AADSTS700213/)
      file('token', emu.control.mintFederatedToken({subject: SUBJECT}))
      await verifyAppToken(await cli(['get-token', '-p', 'wi', '-o', 'json', '--force']), federatedApp)
    })

    it('uses AZURE_FEDERATED_TOKEN_FILE for one-off use without a profile', async () => {
      // An empty config directory: with profiles, one-off flags would apply over the default profile.
      const res = await cli(['get-token', '--tenant', DEFAULT_TENANT_ID, '--client-id', federatedApp, '--authority', emu.url, '--flow', 'client-credentials', '--scope', `${API_APP_ID_URI}/.default`, '-o', 'json'], {env: {...workloadEnv(), ENTRATOOL_CONFIG_DIR: join(box.home, 'empty-config')}})
      await verifyAppToken(res, federatedApp)
    })

    it('an empty, missing or expired token file is a clear exit 3 before any request', async () => {
      emu.control.clearRequests()
      file('token', '\n')
      const empty = await cli(['get-token', '-p', 'wi', '--force'])
      assert.equal(empty.code, 3)
      assert.match(empty.stderr, /federated token file .*token is empty/)
      const expiredJwt = ['{"alg":"RS256"}', `{"exp":${Math.floor(Date.now() / 1000) - 60}}`].map((part) => Buffer.from(part).toString('base64url')).join('.') + '.sig'
      file('token', expiredJwt)
      const expired = await cli(['get-token', '-p', 'wi', '--force'])
      assert.equal(expired.code, 3)
      assert.match(expired.stderr, /federated token in .*token expired at/)
      rmSync(join(box.home, 'token'))
      const missing = await cli(['get-token', '-p', 'wi', '--force'])
      assert.equal(missing.code, 3)
      assert.match(missing.stderr, /federated token file .*token does not exist/)
      assert.deepEqual(emu.control.requests(), [])
      const atCreate = await cli(['create-profile', '--name', 'wi2', '--scope', `${API_APP_ID_URI}/.default`], {env: workloadEnv()})
      assert.equal(atCreate.code, 2)
      assert.match(atCreate.stderr, /--federated-token-file .*token does not exist/)
    })
  })

  describe('secrets', () => it('no password, key or certificate secret in argv, stdout, stderr (even --debug) or any stored file', () => {
    const keyBody = cert.keyPem.split('\n')[1]
    const secrets = [PFX_PASSWORD, keyBody, 'PRIVATE KEY']
    for (const args of argvSeen) for (const secret of secrets) assert.ok(!args.join(' ').includes(secret), `argv: ${args.join(' ')}`)
    for (const res of outputs) for (const secret of secrets) assert.ok(!(res.stdout + res.stderr).includes(secret), res.stderr)
    const walk = (dir: string): string[] => readdirSync(dir, {withFileTypes: true}).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]))
    for (const stored of walk(box.configDir)) for (const secret of [PFX_PASSWORD, keyBody]) assert.equal(readFileSync(stored).includes(secret), false, stored)
  }))
})
