import {createCipheriv, createDecipheriv, randomBytes} from 'node:crypto'

const MAGIC = Buffer.from('ET1\0')
const IV_BYTES = 12
const TAG_BYTES = 16

/**
 * AES-256-GCM with a fresh IV per write. The associated data names what the blob is (e.g.
 * `secret:prod/client-secret`), so a file copied over another one fails to open instead of
 * silently swapping secrets.
 */
export function seal(key: Buffer, plaintext: Buffer | string, associatedData: string): Buffer {
  const iv = randomBytes(IV_BYTES)
  const cipher = createCipheriv('aes-256-gcm', key, iv)
  cipher.setAAD(Buffer.from(associatedData))
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()])
  return Buffer.concat([MAGIC, iv, cipher.getAuthTag(), body])
}

/** Throws when the blob was tampered with, truncated, or sealed with another key or purpose. */
export function unseal(key: Buffer, blob: Buffer, associatedData: string): Buffer {
  if (blob.length < MAGIC.length + IV_BYTES + TAG_BYTES || !blob.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new Error('not an entratool encrypted file')
  }

  const iv = blob.subarray(MAGIC.length, MAGIC.length + IV_BYTES)
  const tag = blob.subarray(MAGIC.length + IV_BYTES, MAGIC.length + IV_BYTES + TAG_BYTES)
  const decipher = createDecipheriv('aes-256-gcm', key, iv)
  decipher.setAAD(Buffer.from(associatedData))
  decipher.setAuthTag(tag)
  return Buffer.concat([decipher.update(blob.subarray(MAGIC.length + IV_BYTES + TAG_BYTES)), decipher.final()])
}
