/**
 * The export file format. Version 1 is JSON:
 *   {format: "entratool-profiles", version: 1, exported_at, profiles: [...]}            (no secrets)
 *   {format, version, exported_at, encryption: {kdf: "scrypt", N, r, p, salt, cipher: "aes-256-gcm", iv},
 *    ciphertext}                                                                          (--include-secrets)
 * An encrypted export hides its profiles too, and authenticates every field in the clear (as
 * AES-GCM associated data), so a changed byte anywhere is refused rather than half-believed.
 */
import {createCipheriv, createDecipheriv, randomBytes, scrypt, type ScryptOptions} from 'node:crypto'

import {usageError} from '../errors.js'
import type {FlowOption} from '../flows/contract.js'
import {checkProfile, type Profile, type ProfileCore, type ProfileOptions} from './profile.js'

export const EXPORT_FORMAT = 'entratool-profiles'
export const EXPORT_VERSION = 1

/**
 * What an export never carries of a profile: the signed-in account and secret references (the
 * secrets travel separately, encrypted). Everything else goes, so fields added later travel too.
 */
const NEVER_EXPORTED = ['account', 'certificatePasswordRef', 'secretRef'] as const
export type ExportedProfile = Omit<ProfileCore, (typeof NEVER_EXPORTED)[number]> & ProfileOptions

export interface ExportedSecrets {
  clientSecret?: string
  certificatePassword?: string
}

export interface ExportContents {
  profiles: ExportedProfile[]
  /** By profile name; only encrypted exports carry any. */
  secrets: Record<string, ExportedSecrets>
}

interface Encryption {
  kdf: 'scrypt'
  N: number
  r: number
  p: number
  salt: string
  cipher: 'aes-256-gcm'
  iv: string
}

/** OWASP's scrypt minimum is N=2^17, r=8, p=1 (~0.4 s here): a passphrase is often guessable. */
const KDF = {N: 2 ** 17, p: 1, r: 8}
/** A crafted file must not make import spend gigabytes of memory or minutes of CPU. */
const KDF_LIMITS = {memory: 256 * 1024 * 1024, p: 4}
const TAG_BYTES = 16

export const DAMAGED = 'the export file is damaged or the passphrase is wrong'

export function exportedProfile(profile: Profile): ExportedProfile {
  return Object.fromEntries(Object.entries(profile).filter(([field]) => !(NEVER_EXPORTED as readonly string[]).includes(field))) as ExportedProfile
}

export async function encodeExport(contents: ExportContents, passphrase: string | undefined, now = new Date()): Promise<string> {
  const head = {format: EXPORT_FORMAT, version: EXPORT_VERSION, exported_at: now.toISOString()}
  if (passphrase === undefined) return `${JSON.stringify({...head, profiles: contents.profiles}, null, 2)}\n`
  const encryption: Encryption = {...KDF, cipher: 'aes-256-gcm', iv: randomBytes(12).toString('base64'), kdf: 'scrypt', salt: randomBytes(16).toString('base64')}
  const cipher = createCipheriv('aes-256-gcm', await deriveKey(passphrase, encryption), Buffer.from(encryption.iv, 'base64'))
  cipher.setAAD(associatedData(head.exported_at, encryption))
  const body = Buffer.concat([cipher.update(JSON.stringify(contents)), cipher.final(), cipher.getAuthTag()])
  return `${JSON.stringify({...head, encryption, ciphertext: body.toString('base64')}, null, 2)}\n`
}

/** Reads an export; asks for the passphrase only when the file is encrypted. */
/** `options`: the installed flows' declarations, whose values are checked by type. */
export async function decodeExport(text: string, passphrase: () => Promise<string>, options: readonly FlowOption[] = []): Promise<ExportContents & {encrypted: boolean}> {
  let doc: Record<string, unknown>
  try {
    doc = JSON.parse(text)
  } catch {
    throw usageError('the input is not an entratool profile export (not JSON)', {next: 'give a file written by `entratool export-profile`'})
  }

  if (typeof doc !== 'object' || doc === null || doc.format !== EXPORT_FORMAT) throw usageError('the input is not an entratool profile export', {next: 'give a file written by `entratool export-profile`'})
  if (doc.version !== EXPORT_VERSION) {
    throw usageError(`the export has format version ${JSON.stringify(doc.version)}; this entratool reads version ${EXPORT_VERSION}`, {next: 'import it with the entratool version that wrote it, or a newer one'})
  }

  if (doc.encryption === undefined) return {...checkContents({profiles: doc.profiles, secrets: {}}, options), encrypted: false}
  const encryption = checkEncryption(doc.encryption)
  if (!encryption || typeof doc.ciphertext !== 'string' || typeof doc.exported_at !== 'string') throw usageError(DAMAGED)
  const body = Buffer.from(doc.ciphertext, 'base64')
  let plaintext: string
  try {
    const decipher = createDecipheriv('aes-256-gcm', await deriveKey(await passphrase(), encryption), Buffer.from(encryption.iv, 'base64'))
    decipher.setAAD(associatedData(doc.exported_at, encryption))
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES))
    plaintext = Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]).toString('utf8')
  } catch {
    throw usageError(DAMAGED, {next: 'check ENTRATOOL_EXPORT_PASSPHRASE (or what you typed), and that the file arrived whole'})
  }

  return {...checkContents(JSON.parse(plaintext), options), encrypted: true}
}

function associatedData(exportedAt: string, e: Encryption): Buffer {
  return Buffer.from(JSON.stringify([EXPORT_FORMAT, EXPORT_VERSION, exportedAt, e.kdf, e.N, e.r, e.p, e.salt, e.cipher, e.iv]))
}

function deriveKey(passphrase: string, e: Encryption): Promise<Buffer> {
  const options: ScryptOptions = {N: e.N, maxmem: 256 * e.N * e.r + 1024 * 1024, p: e.p, r: e.r}
  return new Promise((resolve, reject) => {
    scrypt(passphrase.normalize('NFC'), Buffer.from(e.salt, 'base64'), 32, options, (error, key) => (error ? reject(error) : resolve(key)))
  })
}

function checkEncryption(value: unknown): Encryption | undefined {
  const e = value as Encryption
  if (typeof e !== 'object' || e === null || e.kdf !== 'scrypt' || e.cipher !== 'aes-256-gcm' || typeof e.salt !== 'string' || typeof e.iv !== 'string') return
  const positive = [e.N, e.r, e.p].every((n) => Number.isSafeInteger(n) && n >= 1)
  const ok = positive && (e.N & (e.N - 1)) === 0 && e.N > 1 && 128 * e.N * e.r <= KDF_LIMITS.memory && e.p <= KDF_LIMITS.p && Buffer.from(e.iv, 'base64').length === 12
  return ok ? e : undefined
}

/** Every profile is checked with the rules profiles.json is read with; account and secret references are dropped. */
function checkContents(value: {profiles: unknown; secrets: unknown}, options: readonly FlowOption[]): ExportContents {
  if (!Array.isArray(value.profiles) || value.profiles.length === 0) throw usageError('the export holds no profiles')
  const profiles = value.profiles.map((raw, i) => {
    const problem = checkProfile(raw, undefined, options)
    if (problem) throw usageError(`profile ${typeof raw?.name === 'string' ? `'${raw.name}'` : `#${i + 1}`} in the export: ${problem}`)
    return exportedProfile(raw as Profile)
  })
  const names = profiles.map((p) => p.name.toLowerCase())
  const twice = names.find((n, i) => names.indexOf(n) !== i)
  if (twice) throw usageError(`the export holds profile '${twice}' more than once`)
  const secrets: Record<string, ExportedSecrets> = {}
  for (const [name, entry] of Object.entries((value.secrets ?? {}) as Record<string, ExportedSecrets>)) {
    if (!profiles.some((p) => p.name === name)) continue
    const {certificatePassword, clientSecret} = entry ?? {}
    if ([certificatePassword, clientSecret].some((s) => s !== undefined && typeof s !== 'string')) throw usageError(`the secrets of profile '${name}' in the export are not text`)
    secrets[name] = {certificatePassword, clientSecret}
  }

  return {profiles, secrets}
}
