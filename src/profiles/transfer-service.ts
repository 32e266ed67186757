import {existsSync} from 'node:fs'

import {configError, usageError} from '../errors.js'
import {writeAtomic} from '../lib/atomic-write.js'
import {readBoundedFile} from '../lib/bounded-file.js'
import {canPrompt, readStdin} from '../lib/stdin.js'
import {secretKey} from '../storage/profile-names.js'
import type {ProfileService} from './profile-service.js'
import type {Profile} from './profile.js'
import {decodeExport, encodeExport, type ExportedSecrets, exportedProfile} from './transfer.js'
import {authorityUrl, checkName, isMicrosoftCloudHost} from './validate.js'

export interface ExportResult {
  document: string
  profiles: string[]
  /** Profiles whose stored secrets were left out (no --include-secrets). */
  secretsLeftOut: string[]
}

export interface ImportItem {
  name: string
  /** The existing profile this one replaces (--overwrite). */
  replaces?: string
  secrets: string[]
  /** Files the profile points at that do not exist on this machine. */
  missingFiles: string[]
  /** The host tokens are requested from (and secrets sent to), as the URL really reads. */
  authorityHost: string
  /** Every file the profile makes entratool read (and, for a federated token file, send). */
  files: string[]
  /** A host that is not a Microsoft cloud, or a file: the person must agree before it is imported. */
  needsConsent: boolean
}

/** The largest export accepted: one holds a few KB per profile. */
export const MAX_EXPORT_BYTES = 1024 * 1024

/** export-profile and import-profile: profiles (and, encrypted, their secrets) in and out. */
export class ProfileTransfer {
  constructor(private readonly profiles: ProfileService) {}

  async export(options: {names?: string[]; includeSecrets: boolean; passphrase: () => Promise<string>}): Promise<ExportResult> {
    const file = this.profiles.store.read()
    const chosen = options.names ? await Promise.all(options.names.map((n) => this.profiles.store.get(n))) : Object.values(file.profiles).sort((a, b) => a.name.localeCompare(b.name))
    if (chosen.length === 0) throw configError('there are no profiles to export', {next: 'create one with `entratool create-profile`'})
    const secrets: Record<string, ExportedSecrets> = {}
    if (options.includeSecrets) {
      const storage = await this.profiles.openStorage()
      for (const profile of chosen) {
        const clientSecret = profile.secretRef ? await storage.secrets.get(profile.secretRef) : undefined
        const certificatePassword = profile.certificatePasswordRef ? await storage.secrets.get(profile.certificatePasswordRef) : undefined
        if (clientSecret !== undefined || certificatePassword !== undefined) secrets[profile.name] = {certificatePassword, clientSecret}
      }
    }

    const passphrase = options.includeSecrets ? await options.passphrase() : undefined
    return {
      document: await encodeExport({profiles: chosen.map((p) => exportedProfile(p)), secrets}, passphrase),
      profiles: chosen.map((p) => p.name),
      secretsLeftOut: options.includeSecrets ? [] : chosen.filter((p) => p.secretRef || p.certificatePasswordRef).map((p) => p.name),
    }
  }

  /** Checks everything (passphrase, integrity, names, clashes) before changing anything. */
  /**
   * `consent` sees every profile (its real authority host and the files it references) before
   * anything changes, and throws to refuse; it is not asked on a dry run.
   */
  async import(text: string, options: {rename?: string; overwrite: boolean; dryRun: boolean; passphrase: () => Promise<string>; consent?: (items: ImportItem[]) => Promise<void>}): Promise<ImportItem[]> {
    const declared = await this.profiles.declaredOptions()
    const contents = await decodeExport(text, options.passphrase, declared)
    if (options.rename !== undefined) {
      if (contents.profiles.length !== 1) throw usageError(`--name renames a single profile, and the export holds ${contents.profiles.length}`, {next: 'import without --name'})
      const problem = checkName(options.rename)
      if (problem) throw usageError(problem)
      const [only] = contents.profiles
      contents.secrets = contents.secrets[only.name] ? {[options.rename]: contents.secrets[only.name]} : {}
      contents.profiles = [{...only, name: options.rename}]
    }

    const existing = Object.keys(this.profiles.store.read().profiles)
    const items: ImportItem[] = contents.profiles.map((p) => {
      const secrets = contents.secrets[p.name] ?? {}
      const files = [...declared.filter((o) => o.type === 'path').map((o) => p[o.name]), p.caFile].filter((f): f is string => typeof f === 'string')
      const authorityHost = new URL(authorityUrl(p.authority, p.tenantId)).host
      return {
        authorityHost,
        files,
        missingFiles: files.filter((f) => !existsSync(f)),
        name: p.name,
        needsConsent: files.length > 0 || !isMicrosoftCloudHost(authorityHost),
        replaces: existing.find((n) => n.toLowerCase() === p.name.toLowerCase()),
        secrets: [secrets.clientSecret === undefined ? '' : 'client secret', secrets.certificatePassword === undefined ? '' : 'certificate password'].filter(Boolean),
      }
    })
    const clashes = items.filter((i) => i.replaces).map((i) => `'${i.replaces}'`)
    if (clashes.length > 0 && !options.overwrite) {
      throw configError(`${clashes.length === 1 ? `profile ${clashes[0]} already exists` : `profiles ${clashes.join(', ')} already exist`}; nothing was imported`, {
        next: `pass --overwrite to replace ${clashes.length === 1 ? 'it' : 'them'}${contents.profiles.length === 1 ? ', or --name <new> to import under another name' : ''}`,
      })
    }

    if (options.dryRun) return items
    await options.consent?.(items)
    const storage = await this.profiles.openStorage()
    const now = new Date().toISOString()
    for (const [index, item] of items.entries()) {
      if (item.replaces) {
        // The old profile's tokens and secrets belong to what is being replaced.
        await this.profiles.clearTokens(item.replaces)
        await storage.secrets.delete(secretKey(item.replaces, 'client-secret'))
        await storage.secrets.delete(secretKey(item.replaces, 'certificate-password'))
      }

      const profile: Profile = {...contents.profiles[index], updatedAt: now}
      const {certificatePassword, clientSecret} = contents.secrets[item.name] ?? {}
      if (clientSecret !== undefined) await storage.secrets.set((profile.secretRef = secretKey(item.name, 'client-secret')), clientSecret)
      if (certificatePassword !== undefined) await storage.secrets.set((profile.certificatePasswordRef = secretKey(item.name, 'certificate-password')), certificatePassword)
      await this.profiles.store.create(profile, {force: options.overwrite})
    }

    return items
  }
}

/**
 * A host that is not a Microsoft cloud, or a referenced file, is imported only with agreement:
 * asked on a terminal, else --yes. The profile's requests would carry the client secret from the
 * environment to that host, or the file's content as a credential.
 */
export async function consentToImport(items: ImportItem[], yes: boolean): Promise<void> {
  const asking = items.filter((i) => i.needsConsent)
  if (asking.length === 0 || yes) return
  const why = asking.map((i) => `'${i.name}' (${[isMicrosoftCloudHost(i.authorityHost) ? '' : `host ${i.authorityHost}`, i.files.length > 0 ? `${i.files.length} file${i.files.length === 1 ? '' : 's'}` : ''].filter(Boolean).join(', ')})`)
  const question = `${asking.length === 1 ? 'profile' : 'profiles'} ${why.join(', ')} ${asking.length === 1 ? 'sends' : 'send'} credentials to a host that is not a Microsoft cloud or ${asking.length === 1 ? 'reads' : 'read'} files`
  if (!canPrompt()) throw usageError(`${question}; nothing was imported`, {next: 'check the hosts and files listed above, then import again with --yes'})
  const {confirm} = await import('@inquirer/prompts')
  if (!(await confirm({default: false, message: `${question}. Import?`}, {output: process.stderr}))) throw usageError('nothing was imported', {next: 'import only exports from people you trust'})
}

/** The export text from --file or stdin. */
export async function readExportInput(file: string | undefined, stdin: NodeJS.ReadableStream & {isTTY?: boolean} = process.stdin): Promise<string> {
  const tooLarge = () => usageError(`the export is larger than ${MAX_EXPORT_BYTES / 1024 / 1024} MB, more than any profile export holds`, {next: 'give a file written by `entratool export-profile`'})
  if (file !== undefined) {
    const read = readBoundedFile(file, MAX_EXPORT_BYTES)
    if (read.data === undefined) throw read.problem === 'too large' ? tooLarge() : usageError(`cannot read --file ${file} (${read.problem})`)
    return read.data.toString('utf8')
  }

  if (stdin.isTTY) throw usageError('no export given', {next: 'pass --file <path>, or pipe the export in: entratool import-profile < profiles.json'})
  return readStdin(stdin, {bytes: MAX_EXPORT_BYTES, tooLarge})
}

/**
 * Writes an export readable by the user alone, atomically (lib/atomic-write.ts). The directory is left as
 * it is (it is the user's, e.g. a USB stick), unlike entratool's own state directories.
 */
export async function writeExportFile(file: string, document: string, force: boolean): Promise<void> {
  if (!force && existsSync(file)) throw usageError(`${file} already exists`, {next: 'pass --force to replace it, or choose another --file'})
  try {
    await writeAtomic(file, document)
  } catch (error) {
    throw usageError(`cannot write --file ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`)
  }
}
