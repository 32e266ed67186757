import {X509Certificate} from 'node:crypto'
import {createSecureContext} from 'node:tls'

import {MAX_CREDENTIAL_BYTES, readBoundedFile} from '../lib/bounded-file.js'
import {localTime} from '../lib/time.js'


/**
 * Checks the credential files given to create-profile and edit-profile, so a wrong path, password
 * or key fails now (exit 2) rather than at the next get-token. The core may not import the flow
 * plugin, and TLS's context builder already checks PEM and PFX alike (parsing, the password, the
 * key matching the certificate); the plugin reads the files again, more closely, on every use.
 */
export function certificateProblem(certificatePath: string, privateKeyPath: string | undefined, password: string | undefined, now = Date.now()): string | undefined {
  const cert = readOrProblem(certificatePath, '--certificate')
  if (typeof cert === 'string') return cert
  const key = privateKeyPath === undefined ? cert : readOrProblem(privateKeyPath, '--private-key')
  if (typeof key === 'string') return key
  if (!cert.includes('-----BEGIN')) return tlsProblem(() => createSecureContext({passphrase: password, pfx: cert}), certificatePath, password)

  const leafPem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(cert.toString('utf8'))?.[0]
  if (!leafPem) return `${certificatePath} holds no certificate: give a PEM file with the certificate and its private key, or a PFX`
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(key.toString('utf8'))) {
    return privateKeyPath ? `${privateKeyPath} holds no private key` : `${certificatePath} holds no private key: give the key file with --private-key`
  }

  const problem = tlsProblem(() => createSecureContext({cert, key, passphrase: password}), certificatePath, password)
  if (problem) return problem
  const leaf = new X509Certificate(leafPem)
  const type = leaf.publicKey.asymmetricKeyType
  if (type !== 'rsa' && type !== 'rsa-pss') return `the certificate in ${certificatePath} has a ${type} key; Entra accepts only RSA keys for client assertions`
  if (Date.parse(leaf.validTo) < now) return `the certificate in ${certificatePath} expired on ${localTime(new Date(leaf.validTo))}`
  if (Date.parse(leaf.validFrom) > now) return `the certificate in ${certificatePath} is not valid before ${localTime(new Date(leaf.validFrom))}`
  return undefined
}

/** A file a flag names must exist and be readable now. */
export function fileProblem(path: string, flag: string): string | undefined {
  const result = readOrProblem(path, flag)
  return typeof result === 'string' ? result : undefined
}

function readOrProblem(path: string, flag: string): Buffer | string {
  const read = readBoundedFile(path)
  if (read.data !== undefined) return read.data
  const {problem} = read
  return `${flag} ${path} ${problem === 'does not exist' || problem.startsWith('is ') ? problem : problem === 'too large' ? `is larger than ${MAX_CREDENTIAL_BYTES / 1024} KB` : `cannot be read (${problem})`}`
}

function tlsProblem(load: () => unknown, path: string, password: string | undefined): string | undefined {
  try {
    load()
  } catch (error) {
    const {code, message} = error as NodeJS.ErrnoException
    if (code === 'ERR_OSSL_X509_KEY_VALUES_MISMATCH') return `the private key does not belong to the certificate in ${path}`
    if (/mac verify failure|bad decrypt|bad password read|maybe wrong password/i.test(message)) {
      return password ? `the password of ${path} is wrong` : `${path} is protected by a password: pass it with --certificate-password-stdin or ENTRATOOL_CERTIFICATE_PASSWORD`
    }

    if (/unsupported/i.test(message)) return `${path} is encrypted with a legacy algorithm (RC2) that Node.js refuses: re-encrypt it with \`openssl pkcs12 -in old.pfx -legacy -nodes | openssl pkcs12 -export -out new.pfx\``
    return `${path} is not a usable certificate: expected a PEM file with a certificate and its private key, or a PFX (${message})`
  }
  return undefined
}
