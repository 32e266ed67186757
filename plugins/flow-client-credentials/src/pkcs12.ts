/**
 * Reads a PKCS#12 (PFX) file into node:crypto objects: its private keys and certificates. The
 * MAC is checked first, so a wrong password is reported as such and not as a decryption failure.
 */
import {createPrivateKey, type KeyObject, X509Certificate} from 'node:crypto'

import {child, children, DerError, type DerNode, integer, octets, oid, readNode, TAG} from './der.js'
import {decrypt, macMatches, UnsupportedAlgorithmError} from './pkcs12-crypto.js'

export type Pkcs12Problem = 'format' | 'password' | 'unsupported'

export class Pkcs12Error extends Error {
  constructor(
    readonly problem: Pkcs12Problem,
    message: string,
  ) {
    super(message)
  }
}

export interface Pkcs12Contents {
  keys: KeyObject[]
  certificates: X509Certificate[]
}

const OIDS = {
  certBag: '1.2.840.113549.1.12.10.1.3',
  data: '1.2.840.113549.1.7.1',
  encryptedData: '1.2.840.113549.1.7.6',
  keyBag: '1.2.840.113549.1.12.10.1.1',
  safeContentsBag: '1.2.840.113549.1.12.10.1.6',
  shroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  x509Certificate: '1.2.840.113549.1.9.22.1',
}

export function readPkcs12(file: Buffer, password: string | undefined): Pkcs12Contents {
  try {
    return parse(file, password)
  } catch (error) {
    if (error instanceof Pkcs12Error) throw error
    if (error instanceof UnsupportedAlgorithmError) throw new Pkcs12Error('unsupported', error.message)
    if (error instanceof DerError) throw new Pkcs12Error('format', `it is not a PKCS#12 (PFX) file (${error.message})`)
    if (/bad decrypt/i.test((error as Error).message)) throw new Pkcs12Error('password', 'the password is wrong')
    if ((error as NodeJS.ErrnoException).code === 'ERR_OSSL_EVP_UNSUPPORTED') throw new Pkcs12Error('unsupported', `its private key is encrypted with an algorithm this Node.js refuses: ${(error as Error).message}`)
    throw new Pkcs12Error('format', `it cannot be read as a PKCS#12 (PFX) file (${(error as Error).message})`)
  }
}

function parse(file: Buffer, password: string | undefined): Pkcs12Contents {
  const pfx = readNode(file)
  if (pfx.tag !== TAG.sequence) throw new DerError('it does not start with an ASN.1 SEQUENCE')
  const [version, authSafe, macData] = children(pfx)
  if (!version || version.tag !== TAG.integer || integer(version) !== 3) throw new DerError('no PKCS#12 version 3 header')
  if (oid(child(authSafe, 0, TAG.oid)) !== OIDS.data) throw new UnsupportedAlgorithmError('public-key protected PFX files are not supported')
  const content = explicitOctets(authSafe)
  if (macData && !macMatches(macData, content, password)) {
    throw new Pkcs12Error('password', password ? 'the password is wrong' : 'it is protected by a password and none was given')
  }

  const out: Pkcs12Contents = {certificates: [], keys: []}
  for (const info of children(readNode(content))) {
    const type = oid(child(info, 0, TAG.oid))
    if (type === OIDS.data) collect(readNode(explicitOctets(info)), password ?? '', out)
    else if (type === OIDS.encryptedData) collect(readNode(decryptContent(info, password ?? '')), password ?? '', out)
  }

  return out
}

/** ContentInfo of type data: `[0] EXPLICIT OCTET STRING`. */
function explicitOctets(info: DerNode): Buffer {
  const inner = children(child(info, 1, TAG.context0))[0]
  if (!inner) throw new DerError('content is missing')
  return octets(inner)
}

/** ContentInfo of type encryptedData: EncryptedData { version, EncryptedContentInfo { type, algorithm, [0] IMPLICIT data } }. */
function decryptContent(info: DerNode, password: string): Buffer {
  const encryptedData = child(child(info, 1, TAG.context0), 0, TAG.sequence)
  const [, algorithm, body] = children(child(encryptedData, 1, TAG.sequence))
  if (!body) throw new DerError('encrypted content is missing')
  const data = body.tag === TAG.context0 ? Buffer.concat(children(body).map((piece) => octets(piece))) : octets(body)
  return decrypt(algorithm, data, password)
}

function collect(safeContents: DerNode, password: string, out: Pkcs12Contents): void {
  for (const bag of children(safeContents)) {
    const type = oid(child(bag, 0, TAG.oid))
    const value = children(child(bag, 1, TAG.context0))[0]
    if (!value) continue
    if (type === OIDS.keyBag) out.keys.push(createPrivateKey({format: 'der', key: value.der, type: 'pkcs8'}))
    else if (type === OIDS.shroudedKeyBag) out.keys.push(createPrivateKey({format: 'der', key: value.der, passphrase: password, type: 'pkcs8'}))
    else if (type === OIDS.safeContentsBag) collect(value, password, out)
    else if (type === OIDS.certBag && oid(child(value, 0, TAG.oid)) === OIDS.x509Certificate) {
      out.certificates.push(new X509Certificate(octets(children(child(value, 1, TAG.context0))[0])))
    }
  }
}
