/**
 * The password-based cryptography inside PKCS#12 files (RFC 7292, RFC 8018): the integrity MAC
 * and the encryption of certificate bags. Private keys are decrypted by node:crypto itself.
 */
import {createDecipheriv, createHash, createHmac, getCipherInfo, pbkdf2Sync, timingSafeEqual} from 'node:crypto'

import {child, children, type DerNode, integer, octets, oid, TAG} from './der.js'

export class UnsupportedAlgorithmError extends Error {}

const DIGESTS: Record<string, {name: string; block: number}> = {
  '1.3.14.3.2.26': {block: 64, name: 'sha1'},
  '2.16.840.1.101.3.4.2.1': {block: 64, name: 'sha256'},
  '2.16.840.1.101.3.4.2.2': {block: 128, name: 'sha384'},
  '2.16.840.1.101.3.4.2.3': {block: 128, name: 'sha512'},
}

const HMAC_PRFS: Record<string, string> = {
  '1.2.840.113549.2.7': 'sha1',
  '1.2.840.113549.2.8': 'sha224',
  '1.2.840.113549.2.9': 'sha256',
  '1.2.840.113549.2.10': 'sha384',
  '1.2.840.113549.2.11': 'sha512',
}

const PBES2 = '1.2.840.113549.1.5.13'
const PBKDF2 = '1.2.840.113549.1.5.12'
const PBES2_CIPHERS: Record<string, string> = {
  '1.2.840.113549.3.7': 'des-ede3-cbc',
  '2.16.840.1.101.3.4.1.2': 'aes-128-cbc',
  '2.16.840.1.101.3.4.1.22': 'aes-192-cbc',
  '2.16.840.1.101.3.4.1.42': 'aes-256-cbc',
}

/** The PKCS#12 v1 schemes (RFC 7292 appendix C), still what Windows and `openssl -legacy` write. */
const PKCS12_PBE: Record<string, {cipher: string; keyBytes: number}> = {
  '1.2.840.113549.1.12.1.3': {cipher: 'des-ede3-cbc', keyBytes: 24},
  '1.2.840.113549.1.12.1.4': {cipher: 'des-ede-cbc', keyBytes: 16},
  '1.2.840.113549.1.12.1.5': {cipher: 'rc2-cbc', keyBytes: 16},
  '1.2.840.113549.1.12.1.6': {cipher: 'rc2-40-cbc', keyBytes: 5},
}

/** PKCS#12 hashes the password as a NUL-terminated big-endian UTF-16 string. */
function bmpPassword(password: string): Buffer {
  return Buffer.from(`${password}\0`, 'utf16le').swap16()
}

/** RFC 7292 appendix B.2; id 1 derives a key, 2 an IV, 3 a MAC key. */
function pkcs12Kdf(digest: {name: string; block: number}, password: Buffer, salt: Buffer, id: number, iterations: number, size: number): Buffer {
  const v = digest.block
  const repeat = (data: Buffer) => Buffer.from(Uint8Array.from({length: v * Math.ceil(data.length / v)}, (_, i) => data[i % data.length]))
  const input = Buffer.concat([repeat(salt), repeat(password)])
  const out: Buffer[] = []
  for (let produced = 0; produced < size; ) {
    let block = createHash(digest.name).update(Buffer.alloc(v, id)).update(input).digest()
    for (let i = 1; i < iterations; i++) block = createHash(digest.name).update(block).digest()
    out.push(block)
    produced += block.length
    const addend = repeat(block)
    for (let offset = 0; offset < input.length; offset += v) {
      let carry = 1
      for (let k = v - 1; k >= 0; k--) {
        const sum = input[offset + k] + addend[k] + carry
        input[offset + k] = sum & 0xff
        carry = sum >> 8
      }
    }
  }

  return Buffer.concat(out).subarray(0, size)
}

/**
 * Checks the file's MAC. Without a password both an empty one and none at all are tried, as
 * OpenSSL does, since producers disagree on how "no password" is encoded.
 */
export function macMatches(macData: DerNode, content: Buffer, password: string | undefined): boolean {
  const [digestInfo, saltNode, iterationsNode] = children(macData)
  const algorithm = oid(child(child(digestInfo, 0, TAG.sequence), 0, TAG.oid))
  const digest = DIGESTS[algorithm]
  if (!digest) throw new UnsupportedAlgorithmError(`the PFX integrity algorithm ${algorithm} is not supported`)
  const expected = octets(child(digestInfo, 1, TAG.octetString))
  const salt = octets(saltNode)
  const iterations = iterationsNode ? integer(iterationsNode) : 1
  const candidates = password ? [bmpPassword(password)] : [bmpPassword(''), Buffer.alloc(0)]
  return candidates.some((candidate) => {
    const key = pkcs12Kdf(digest, candidate, salt, 3, iterations, expected.length)
    const actual = createHmac(digest.name, key).update(content).digest()
    return actual.length === expected.length && timingSafeEqual(actual, expected)
  })
}

/** Decrypts content encrypted under a password-based AlgorithmIdentifier (PBES2 or PKCS#12 v1). */
export function decrypt(algorithm: DerNode, data: Buffer, password: string): Buffer {
  const id = oid(child(algorithm, 0, TAG.oid))
  const params = children(algorithm)[1]
  if (id === PBES2) return pbes2(params, data, password)
  const scheme = PKCS12_PBE[id]
  if (!scheme) throw new UnsupportedAlgorithmError(`the PFX encryption algorithm ${id} is not supported`)
  const salt = octets(child(params, 0, TAG.octetString))
  const iterations = integer(child(params, 1, TAG.integer))
  const sha1 = DIGESTS['1.3.14.3.2.26']
  const key = pkcs12Kdf(sha1, bmpPassword(password), salt, 1, iterations, scheme.keyBytes)
  const iv = pkcs12Kdf(sha1, bmpPassword(password), salt, 2, iterations, 8)
  return decipher(scheme.cipher, key, iv, data)
}

function pbes2(params: DerNode, data: Buffer, password: string): Buffer {
  const [kdf, scheme] = children(params)
  if (oid(child(kdf, 0, TAG.oid)) !== PBKDF2) throw new UnsupportedAlgorithmError('the PFX uses a key derivation other than PBKDF2')
  const [saltNode, iterationsNode, ...optional] = children(child(kdf, 1, TAG.sequence))
  let keyLength: number | undefined
  let prf = 'sha1'
  for (const node of optional) {
    if (node.tag === TAG.integer) keyLength = integer(node)
    else if (node.tag === TAG.sequence) {
      const prfId = oid(child(node, 0, TAG.oid))
      if (!HMAC_PRFS[prfId]) throw new UnsupportedAlgorithmError(`the PFX key derivation hash ${prfId} is not supported`)
      prf = HMAC_PRFS[prfId]
    }
  }

  const cipherId = oid(child(scheme, 0, TAG.oid))
  const cipher = PBES2_CIPHERS[cipherId]
  if (!cipher) throw new UnsupportedAlgorithmError(`the PFX cipher ${cipherId} is not supported`)
  const key = pbkdf2Sync(Buffer.from(password, 'utf8'), octets(saltNode), integer(iterationsNode), keyLength ?? getCipherInfo(cipher)!.keyLength, prf)
  return decipher(cipher, key, octets(child(scheme, 1, TAG.octetString)), data)
}

function decipher(cipher: string, key: Buffer, iv: Buffer, data: Buffer): Buffer {
  let engine
  try {
    engine = createDecipheriv(cipher, key, iv)
  } catch (error) {
    // OpenSSL 3 moved RC2 and 2-key 3DES to its legacy provider, which Node does not load by default.
    throw new UnsupportedAlgorithmError(`the PFX is encrypted with ${cipher.toUpperCase()}, which this Node.js (OpenSSL 3) refuses without its legacy provider: ${(error as Error).message}`)
  }

  return Buffer.concat([engine.update(data), engine.final()])
}
