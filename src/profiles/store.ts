import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {configError, type EntraToolError, storageError, usageError} from '../errors.js'
import type {FlowOption} from '../flows/contract.js'
import {withLock} from '../storage/lock.js'
import {checkProfile, checkProfilesFile, type Profile, type ProfilesFile} from './profile.js'
import {checkName} from './validate.js'

export const PROFILES_FILE = 'profiles.json'

/**
 * profiles.json under the config directory. Reads are plain fs + our validator (they sit on the
 * cached-token hot path, where importing conf's JSON-schema machinery would cost ~80 ms); every
 * write re-reads under a cross-process lock and is written atomically by conf (0600, 0700 dir).
 * A broken file is reported with its path and never overwritten or treated as empty.
 */
export class ProfileStore {
  readonly file: string
  /**
   * The installed flows' option declarations, when the caller discovered them: their values are
   * then checked by type on every read and write. Reads on the cached-token path leave them empty
   * (loading flow plugins there would cost), and the flow's own values are checked before it runs.
   */
  options: readonly FlowOption[] = []

  constructor(readonly configDir: string) {
    this.file = join(configDir, PROFILES_FILE)
  }

  async create(profile: Profile, options: {force?: boolean; makeDefault?: boolean} = {}): Promise<Profile> {
    return this.mutate((data) => {
      const clash = clashingName(data.profiles, profile.name)
      if (clash && !options.force) throw alreadyExists(clash, profile.name)

      if (clash) delete data.profiles[clash]
      data.profiles[profile.name] = profile
      if (options.makeDefault || Object.keys(data.profiles).length === 1) data.defaultProfile = profile.name
      return profile
    })
  }

  async delete(name: string): Promise<Profile> {
    return this.mutate((data) => {
      const profile = requireProfile(data, name, this.file)
      delete data.profiles[name]
      if (data.defaultProfile === name) delete data.defaultProfile
      return profile
    })
  }

  async get(name: string): Promise<Profile> {
    return requireProfile(this.read(), name, this.file)
  }

  /** Reads and validates profiles.json; a missing file is an empty set of profiles. */
  read(): ProfilesFile {
    let text: string
    try {
      text = readFileSync(this.file, 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {profiles: {}, version: 1}
      throw storageError(`cannot read ${this.file}: ${(error as Error).message}`, {cause: error})
    }

    let data: unknown
    try {
      data = JSON.parse(text)
    } catch (error) {
      throw brokenFile(this.file, `is not valid JSON (${(error as Error).message})`)
    }

    const problem = checkProfilesFile(data, this.options)
    if (problem) throw brokenFile(this.file, problem)
    return data as ProfilesFile
  }

  async update(name: string, change: (profile: Profile) => Profile): Promise<Profile> {
    return this.mutate((data) => {
      const updated = change(requireProfile(data, name, this.file))
      const problem = checkProfile(updated, name, this.options)
      if (problem) throw configError(`profile '${name}' ${problem}`)
      data.profiles[name] = updated
      return updated
    })
  }

  async setDefault(name: string): Promise<void> {
    await this.mutate((data) => {
      requireProfile(data, name, this.file)
      data.defaultProfile = name
    })
  }

  private async mutate<T>(change: (data: ProfilesFile) => T): Promise<T> {
    return withLock(this.file, async () => {
      const data = this.read()
      const result = change(data)
      const {default: Conf} = await import('conf')
      try {
        const conf = new Conf<Record<string, unknown>>({
          accessPropertiesByDotNotation: false,
          configFileMode: 0o600,
          configName: 'profiles',
          cwd: this.configDir,
          projectName: 'entratool',
          projectSuffix: '',
        })
        conf.store = data as unknown as Record<string, unknown>
      } catch (error) {
        throw storageError(`cannot write ${this.file}: ${(error as Error).message}`, {
          cause: error,
          next: 'check that the config directory is writable and the disk is not full',
        })
      }

      return result
    })
  }
}

function brokenFile(file: string, problem: string) {
  return configError(`the profiles file ${file} ${problem}`, {
    next: 'fix the file by hand or move it aside; entratool will not overwrite it',
  })
}

function requireProfile(data: ProfilesFile, name: string, file: string): Profile {
  const invalid = checkName(name)
  if (invalid) throw usageError(invalid)
  const profile = Object.hasOwn(data.profiles, name) ? data.profiles[name] : undefined
  if (!profile) {
    const known = Object.keys(data.profiles)
    throw configError(`profile '${name}' does not exist${known.length > 0 ? '' : ` (${file} has no profiles yet)`}`, {
      next: `create it with \`entratool create-profile --name ${name}\`${known.length > 0 ? ' or see `entratool list-profiles`' : ''}`,
    })
  }

  return profile
}

/** The existing profile a new one named `name` would replace: names clash case-insensitively. */
export function clashingName(profiles: Record<string, unknown>, name: string): string | undefined {
  return Object.keys(profiles).find((existing) => existing.toLowerCase() === name.toLowerCase())
}

export function alreadyExists(clash: string, name: string): EntraToolError {
  return configError(clash === name ? `profile '${clash}' already exists` : `profile '${clash}' already exists (names differ only in case)`, {
    next: `choose another --name, change it with \`entratool edit-profile --name ${clash}\`, or replace it with --force`,
  })
}
