/**
 * Client certificates for the certificate-credential tests, made fresh per run (nothing secret is
 * committed): PEM and PFX, any validity window, an optional issuing CA for an x5c chain.
 */
import forge from 'node-forge'
import {execFileSync} from 'node:child_process'
import {createHash, generateKeyPairSync, X509Certificate} from 'node:crypto'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {issue, toForgeKey} from '../emulator/pki.js'

export interface Certificate {
  certPem: string
  /** PKCS#8 PEM. */
  keyPem: string
  /** x5t#S256: base64url SHA-256 of the DER. */
  thumbprint: string
  /** Base64 DER, as in an x5c header. */
  x5c: string
  forgeCert: forge.pki.Certificate
  forgeKey: forge.pki.rsa.PrivateKey
}

const DAY = 24 * 3600 * 1000

export function makeCertificate(options: {commonName?: string; notBefore?: Date; notAfter?: Date; issuer?: Certificate; ca?: boolean} = {}): Certificate {
  const {privateKey, publicKey} = generateKeyPairSync('rsa', {modulusLength: 2048})
  const forgeKey = toForgeKey(privateKey)
  const extensions = options.ca ? [{cA: true, critical: true, name: 'basicConstraints'}, {critical: true, keyCertSign: true, name: 'keyUsage'}] : [{critical: true, digitalSignature: true, name: 'keyUsage'}]
  const cert = issue({
    commonName: options.commonName ?? 'entratool test client',
    extensions,
    issuer: options.issuer ? {cert: options.issuer.forgeCert, key: options.issuer.forgeKey} : undefined,
    publicKey,
    selfKey: forgeKey,
  })
  if (options.notBefore || options.notAfter) {
    cert.validity.notBefore = options.notBefore ?? new Date(Date.now() - DAY)
    cert.validity.notAfter = options.notAfter ?? new Date(Date.now() + 30 * DAY)
    cert.sign(options.issuer?.forgeKey ?? forgeKey, forge.md.sha256.create())
  }

  const certPem = forge.pki.certificateToPem(cert)
  const der = new X509Certificate(certPem).raw
  return {
    certPem,
    forgeCert: cert,
    forgeKey,
    keyPem: privateKey.export({format: 'pem', type: 'pkcs8'}) as string,
    thumbprint: createHash('sha256').update(der).digest('base64url'),
    x5c: der.toString('base64'),
  }
}

export const expiredCertificate = () => makeCertificate({notAfter: new Date(Date.now() - DAY), notBefore: new Date(Date.now() - 30 * DAY)})
export const futureCertificate = () => makeCertificate({notAfter: new Date(Date.now() + 60 * DAY), notBefore: new Date(Date.now() + 30 * DAY)})

/** A PFX written by node-forge: PBES2/AES for the key ('aes256') or PKCS#12 3DES ('3des'). */
export function forgePfx(cert: Certificate, password: string | null, algorithm: '3des' | 'aes256' = 'aes256', chain: Certificate[] = []): Buffer {
  const asn1 = forge.pkcs12.toPkcs12Asn1(cert.forgeKey, [cert.forgeCert, ...chain.map((c) => c.forgeCert)], password, {algorithm})
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary')
}

export const hasOpenssl = (() => {
  try {
    execFileSync('openssl', ['version'], {stdio: 'ignore'})
    return true
  } catch {
    return false
  }
})()

/** A PFX written by the openssl CLI (OpenSSL 3: AES-256 + SHA-256 MAC; `-legacy`: RC2 + 3DES). */
export function opensslPfx(cert: Certificate, password: string, extra: string[] = []): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'entratool-pfx-'))
  try {
    writeFileSync(join(dir, 'in.pem'), cert.certPem + cert.keyPem)
    execFileSync('openssl', ['pkcs12', '-export', '-in', join(dir, 'in.pem'), '-out', join(dir, 'out.pfx'), '-passout', `pass:${password}`, ...extra], {stdio: 'ignore'})
    return readFileSync(join(dir, 'out.pfx'))
  } finally {
    rmSync(dir, {force: true, recursive: true})
  }
}

/** A self-signed EC (P-256) certificate and key in one PEM, by the openssl CLI (forge has no EC). */
export function opensslEcPem(): string {
  const args = ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=ec test', '-days', '2', '-keyout', '-', '-out', '-']
  return execFileSync('openssl', args, {stdio: ['ignore', 'pipe', 'ignore']}).toString('utf8')
}
