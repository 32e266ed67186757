import forge from 'node-forge'
import {generateKeyPairSync} from 'node:crypto'

import {digest} from './jwt.js'
import {derOf, issue, toForgeKey} from './pki.js'

export interface TestCertificate {
  certPem: string
  /** PKCS#8 PEM, the form MSAL's clientCertificate.privateKey takes. */
  keyPem: string
  thumbprintSha256: string
  thumbprintSha1: string
  /** Base64 DER, for an x5c header. */
  x5c: string
}

/** A self-signed client certificate, for registering with registerApp({certificates}). */
export function createTestCertificate(commonName = 'entratool test client'): TestCertificate {
  const {privateKey, publicKey} = generateKeyPairSync('rsa', {modulusLength: 2048})
  const cert = issue({
    commonName,
    publicKey,
    selfKey: toForgeKey(privateKey),
    extensions: [{name: 'keyUsage', digitalSignature: true, critical: true}],
  })
  const der = derOf(cert)
  return {
    certPem: forge.pki.certificateToPem(cert),
    keyPem: privateKey.export({type: 'pkcs8', format: 'pem'}) as string,
    thumbprintSha256: digest('sha256', der).toString('hex'),
    thumbprintSha1: digest('sha1', der).toString('hex'),
    x5c: der.toString('base64'),
  }
}
