import forge from 'node-forge'
import {generateKeyPair, randomBytes, type KeyObject} from 'node:crypto'
import {promisify} from 'node:util'

import {b64url, digest, randomId, type SigningKey} from './jwt.js'

export interface Pki {
  caPem: string
  serverKeyPem: string
  serverCertPem: string
  /** Signs the tokens the emulated tenant issues. */
  tokenKey: SigningKey
  /** Signs tokens of the emulated external OIDC issuer (workload identity). */
  oidcKey: SigningKey
}

const generateRsa = promisify(generateKeyPair)

export interface CertSpec {
  commonName: string
  publicKey: KeyObject
  issuer?: {cert: forge.pki.Certificate; key: forge.pki.rsa.PrivateKey}
  selfKey?: forge.pki.rsa.PrivateKey
  extensions: object[]
}

export function issue(spec: CertSpec): forge.pki.Certificate {
  const cert = forge.pki.createCertificate()
  cert.publicKey = forge.pki.publicKeyFromPem(spec.publicKey.export({type: 'spki', format: 'pem'}) as string)
  // Positive serial: a leading 0x00..0x7f byte keeps the DER INTEGER non-negative.
  cert.serialNumber = '01' + randomBytes(15).toString('hex')
  cert.validity.notBefore = new Date(Date.now() - 60 * 60 * 1000)
  cert.validity.notAfter = new Date(Date.now() + 30 * 24 * 60 * 60 * 1000)
  const subject = [{name: 'commonName', value: spec.commonName}, {name: 'organizationName', value: 'entratool emulator'}]
  cert.setSubject(subject)
  cert.setIssuer(spec.issuer ? spec.issuer.cert.subject.attributes : subject)
  cert.setExtensions(spec.extensions)
  const signer = spec.issuer?.key ?? spec.selfKey
  if (!signer) throw new Error('certificate needs an issuer or its own key')
  cert.sign(signer, forge.md.sha256.create())
  return cert
}

export function toForgeKey(key: KeyObject): forge.pki.rsa.PrivateKey {
  return forge.pki.privateKeyFromPem(key.export({type: 'pkcs1', format: 'pem'}) as string) as forge.pki.rsa.PrivateKey
}

export function derOf(cert: forge.pki.Certificate): Buffer {
  return Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary')
}

/** Fresh keys every start: nothing secret is committed or reused between runs. */
export async function createPki(): Promise<Pki> {
  // node:crypto generates keys natively and in parallel on the thread pool; forge only signs.
  const [ca, server, token, oidc] = await Promise.all(
    [0, 1, 2, 3].map(() => generateRsa('rsa', {modulusLength: 2048})),
  )
  const caKey = toForgeKey(ca.privateKey)
  const caCert = issue({
    commonName: 'entratool emulator test CA',
    publicKey: ca.publicKey,
    selfKey: caKey,
    extensions: [
      {name: 'basicConstraints', cA: true, critical: true},
      {name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true},
      {name: 'subjectKeyIdentifier'},
    ],
  })
  const issuer = {cert: caCert, key: caKey}
  const serverCert = issue({
    commonName: 'localhost',
    publicKey: server.publicKey,
    issuer,
    extensions: [
      {name: 'basicConstraints', cA: false},
      {name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true},
      {name: 'extKeyUsage', serverAuth: true},
      {name: 'subjectAltName', altNames: [{type: 2, value: 'localhost'}, {type: 7, ip: '127.0.0.1'}]},
      {name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes()},
    ],
  })
  const tokenCertDer = derOf(
    issue({
      commonName: 'entratool emulator token signing',
      publicKey: token.publicKey,
      issuer,
      extensions: [{name: 'keyUsage', digitalSignature: true, critical: true}],
    }),
  )
  const tokenThumbprint = b64url(digest('sha1', tokenCertDer))
  return {
    caPem: forge.pki.certificateToPem(caCert),
    serverKeyPem: server.privateKey.export({type: 'pkcs8', format: 'pem'}) as string,
    serverCertPem: forge.pki.certificateToPem(serverCert),
    // Entra uses the certificate's x5t as the kid; copying that keeps kid lookups realistic.
    tokenKey: {privateKey: token.privateKey, kid: tokenThumbprint, x5t: tokenThumbprint, x5c: tokenCertDer.toString('base64')},
    oidcKey: {privateKey: oidc.privateKey, kid: randomId(16)},
  }
}
