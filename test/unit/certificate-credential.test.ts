import {decodeProtectedHeader, importX509, jwtVerify} from 'jose'
import assert from 'node:assert/strict'
import {constants, createPrivateKey, generateKeyPairSync, verify} from 'node:crypto'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {ASSERTION_LIFETIME_SECONDS, signClientAssertion} from '../../plugins/flow-client-credentials/src/assertion.js'
import {certificateCredential} from '../../plugins/flow-client-credentials/src/certificate-credential.js'
import type {ClientCredential, FlowContext} from '../../src/flows/contract.js'
import {FlowError, RecordingUi, type TestSettings, withOptionValues} from '../helpers/fake-flow-context.js'
import {type Certificate, expiredCertificate, forgePfx, futureCertificate, hasOpenssl, makeCertificate, opensslEcPem, opensslPfx} from './cert-fixtures.js'

const CLIENT_ID = '6f1d2c3b-4a5e-4f60-8b7c-9d0e1f2a3b4c'
const TOKEN_ENDPOINT = 'https://login.example.test/tenant/oauth2/v2.0/token'

function context(settings: TestSettings, password?: string): {ctx: FlowContext; ui: RecordingUi} {
  const ui = new RecordingUi()
  const ctx = {
    clock: {now: () => Date.now(), sleep: async () => {}},
    env: {},
    errors: {create: (kind: FlowError['kind'], message: string, details?: FlowError['details']) => new FlowError(kind, message, details)},
    secrets: {certificatePassword: async () => password, clientSecret: async () => undefined},
    settings: withOptionValues({authority: 'https://login.example.test/tenant', clientId: CLIENT_ID, openBrowser: false, profile: 'app', scopes: [], showUrl: false, tenantId: 'tenant', timeoutMs: 1000, ...settings}),
    ui,
  } as unknown as FlowContext
  return {ctx, ui}
}

async function assertion(credential: ClientCredential): Promise<string> {
  assert.equal(credential.kind, 'assertion')
  return credential.kind === 'assertion' ? credential.getAssertion(TOKEN_ENDPOINT) : ''
}

/** Rejects with a FlowError of this kind whose message matches. */
async function refuses(settings: TestSettings, message: RegExp, password?: string): Promise<FlowError> {
  const error = await certificateCredential(context(settings, password).ctx).then(
    () => assert.fail('expected the certificate to be refused'),
    (error_: unknown) => error_ as FlowError,
  )
  assert.ok(error instanceof FlowError, String(error))
  assert.equal(error.kind, 'config')
  assert.match(error.message, message)
  assert.ok(error.details.next, 'says what to do next')
  return error
}

describe('certificate credential (client assertions signed in the plugin)', () => {
  let dir: string
  let cert: Certificate
  const file = (name: string, data: Buffer | string) => {
    const path = join(dir, name)
    writeFileSync(path, data)
    return path
  }

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'entratool-cert-'))
    cert = makeCertificate()
  })
  after(() => rmSync(dir, {force: true, recursive: true}))

  it('signs an RS256 assertion for the token endpoint with x5t#S256, iss = sub = client id, 10 minutes, verified by the certificate', async () => {
    const token = await assertion(await certificateCredential(context({certificatePath: file('both.pem', cert.certPem + cert.keyPem)}).ctx))
    const header = decodeProtectedHeader(token)
    assert.deepEqual(header, {alg: 'RS256', typ: 'JWT', 'x5t#S256': cert.thumbprint})
    const {payload} = await jwtVerify(token, await importX509(cert.certPem, 'RS256'), {audience: TOKEN_ENDPOINT, issuer: CLIENT_ID, subject: CLIENT_ID})
    assert.equal(payload.exp! - payload.nbf!, ASSERTION_LIFETIME_SECONDS)
    assert.ok(Math.abs(payload.nbf! - Date.now() / 1000) < 5)
    assert.match(payload.jti!, /^[\da-f-]{36}$/)
  })

  it('signs a new assertion, with a new jti, for every request', async () => {
    const credential = await certificateCredential(context({certificatePath: file('both.pem', cert.certPem + cert.keyPem)}).ctx)
    const jtis = new Set<unknown>()
    for (let i = 0; i < 3; i++) jtis.add((await jwtVerify(await assertion(credential), await importX509(cert.certPem, 'RS256'))).payload.jti)
    assert.equal(jtis.size, 3)
  })

  it('sends x5c (leaf first, then the chain in the file) only with sendX5c, and says so in debug output', async () => {
    const ca = makeCertificate({ca: true, commonName: 'test issuing CA'})
    const leaf = makeCertificate({issuer: ca})
    const path = file('chain.pem', ca.certPem + leaf.certPem + leaf.keyPem)
    const without = context({certificatePath: path})
    assert.equal(decodeProtectedHeader(await assertion(await certificateCredential(without.ctx))).x5c, undefined)
    assert.match(without.ui.text(), /x5c not sent/)
    const withX5c = context({certificatePath: path, sendX5c: true})
    const header = decodeProtectedHeader(await assertion(await certificateCredential(withX5c.ctx)))
    assert.deepEqual(header.x5c, [leaf.x5c, ca.x5c])
    assert.equal(header['x5t#S256'], leaf.thumbprint)
    assert.match(withX5c.ui.text(), /x5c sent \(2 certificate\(s\)\)/)
    assert.doesNotMatch(withX5c.ui.text(), /PRIVATE KEY|MII/)
  })

  it('reads the key from --private-key, encrypted with the certificate password', async () => {
    const encrypted = createPrivateKey(cert.keyPem).export({cipher: 'aes-256-cbc', format: 'pem', passphrase: 'key-pass', type: 'pkcs8'})
    const settings = {certificatePath: file('cert.pem', cert.certPem), privateKeyPath: file('key.pem', encrypted)}
    const token = await assertion(await certificateCredential(context(settings, 'key-pass').ctx))
    await jwtVerify(token, await importX509(cert.certPem, 'RS256'))
    await refuses(settings, /private key in .*key\.pem is encrypted and no password was given/)
    await refuses(settings, /password of the private key in .*key\.pem is wrong/, 'nope')
  })

  const pfxKinds: Array<[string, () => Buffer, string]> = [
    ['node-forge, AES-256 (PBES2)', () => forgePfx(cert, 'pfx-pass'), 'pfx-pass'],
    ['node-forge, 3DES (PKCS#12 PBE)', () => forgePfx(cert, 'pfx-pass', '3des'), 'pfx-pass'],
    ['openssl 3 defaults (AES-256, SHA-256 MAC, non-ASCII password)', () => opensslPfx(cert, 'pässwörd'), 'pässwörd'],
    ['openssl with 3DES for certificate and key, SHA-1 MAC', () => opensslPfx(cert, 'pfx-pass', ['-certpbe', 'PBE-SHA1-3DES', '-keypbe', 'PBE-SHA1-3DES', '-macalg', 'sha1']), 'pfx-pass'],
  ]
  for (const [name, make, password] of pfxKinds) {
    it(`opens a PFX made by ${name}`, async function () {
      if (name.startsWith('openssl') && !hasOpenssl) this.skip()
      const token = await assertion(await certificateCredential(context({certificatePath: file('app.pfx', make())}, password).ctx))
      assert.equal(decodeProtectedHeader(token)['x5t#S256'], cert.thumbprint)
      await jwtVerify(token, await importX509(cert.certPem, 'RS256'))
    })
  }

  it('opens a PFX without a password, and sends its chain as x5c', async () => {
    const ca = makeCertificate({ca: true})
    const leaf = makeCertificate({issuer: ca})
    const token = await assertion(await certificateCredential(context({certificatePath: file('open.pfx', forgePfx(leaf, null, 'aes256', [ca])), sendX5c: true}).ctx))
    assert.deepEqual(decodeProtectedHeader(token).x5c, [leaf.x5c, ca.x5c])
  })

  it('refuses a wrong or missing PFX password before any request', async () => {
    const path = file('locked.pfx', forgePfx(cert, 'pfx-pass'))
    const wrong = await refuses({certificatePath: path}, /cannot open the PFX .*locked\.pfx: the password is wrong/, 'wrong')
    assert.match(wrong.details.next!, /--certificate-password-stdin.*ENTRATOOL_CERTIFICATE_PASSWORD/)
    await refuses({certificatePath: path}, /protected by a password and none was given/)
  })

  it('names RC2 (openssl -legacy) PFX files and how to re-encrypt them', async function () {
    if (!hasOpenssl) this.skip()
    const error = await refuses({certificatePath: file('legacy.pfx', opensslPfx(cert, 'pfx-pass', ['-legacy']))}, /RC2-40-CBC/, 'pfx-pass')
    assert.match(error.details.next!, /openssl pkcs12 .*-export|openssl-legacy-provider/)
  })

  it('refuses missing, unreadable and non-certificate files', async () => {
    const missing = await refuses({certificatePath: join(dir, 'nope.pem')}, /certificate file .*nope\.pem of profile 'app' does not exist/)
    assert.match(missing.details.next!, /edit-profile --name app --certificate/)
    await refuses({certificatePath: dir}, /is a directory/)
    await refuses({certificatePath: file('notes.txt', 'just some text')}, /notes\.txt is not a certificate/)
    await refuses({certificatePath: file('key-only.pem', cert.keyPem)}, /holds no certificate/)
    await refuses({certificatePath: file('cert-only.pem', cert.certPem)}, /cert-only\.pem holds no private key/)
    await refuses({certificatePath: file('cert.pem', cert.certPem), privateKeyPath: join(dir, 'gone.key')}, /private key file .*gone\.key .* does not exist/)
  })

  it('refuses a key that does not belong to the certificate', async () => {
    const other = makeCertificate()
    await refuses({certificatePath: file('cert.pem', cert.certPem), privateKeyPath: file('other.key', other.keyPem)}, /private key in .*other\.key does not belong to the certificate in .*cert\.pem/)
    await refuses({certificatePath: file('mixed.pem', cert.certPem + other.keyPem)}, /private key in .*mixed\.pem does not belong to its certificate/)
  })

  it('refuses an expired or not yet valid certificate, with the date', async () => {
    const expired = expiredCertificate()
    await refuses({certificatePath: file('expired.pem', expired.certPem + expired.keyPem)}, /expired on \d{4}-\d\d-\d\dT/)
    const future = futureCertificate()
    await refuses({certificatePath: file('future.pem', future.certPem + future.keyPem)}, /is not valid before \d{4}-/)
  })

  it('refuses an EC certificate, which Entra does not accept for client assertions', async function () {
    if (!hasOpenssl) this.skip()
    await refuses({certificatePath: file('ec.pem', opensslEcPem())}, /has an EC key; Entra accepts only RSA keys/)
  })

  it('signs PS256 with an RSA-PSS key', async () => {
    const {privateKey, publicKey} = generateKeyPairSync('rsa-pss', {modulusLength: 2048})
    const token = signClientAssertion({key: privateKey, thumbprintSha256: 'x'}, {audience: TOKEN_ENDPOINT, clientId: CLIENT_ID, now: Date.now()})
    assert.equal(decodeProtectedHeader(token).alg, 'PS256')
    const [header, payload, signature] = token.split('.')
    const options = {key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32}
    assert.ok(verify('sha256', Buffer.from(`${header}.${payload}`), options, Buffer.from(signature, 'base64url')))
  })
})
