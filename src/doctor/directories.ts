import {type Stats} from 'node:fs'
import {access, constants, stat} from 'node:fs/promises'

import {exposedFiles} from '../storage/exposed-files.js'
import {type CheckResult, fail, ok, warn} from './check.js'

export interface Directories {
  /** All state: profiles, storage record, secrets, keys, caches (ENTRATOOL_CONFIG_DIR). */
  config: string
  /** Where `plugins install` puts plugins (ENTRATOOL_DATA_DIR). */
  data: string
  /** oclif's cache (completion lists). */
  cache: string
}

/** Under the config directory: files holding keys or secrets, which nobody else may read. */
const PROTECTED = ['keys', 'secrets', 'cache']

const octal = (mode: number) => (mode & 0o777).toString(8).padStart(3, '0')

/**
 * The three directories and their permissions; and, as ssh refuses a private key others can
 * read, any key, secret or token file readable by group or others is a failure.
 */
export async function directoryChecks(dirs: Directories, platform = process.platform): Promise<CheckResult[]> {
  const results = [await directoryCheck('config directory', dirs.config, 0o077, platform), await directoryCheck('data directory', dirs.data, 0o022, platform), await directoryCheck('cache directory', dirs.cache, 0o022, platform)]
  if (platform !== 'win32') results.push(await protectedFilesCheck(dirs.config))
  return results
}

/** `tooOpen`: the permission bits this directory must not have (group/other read for the config). */
async function directoryCheck(name: string, dir: string, tooOpen: number, platform: NodeJS.Platform): Promise<CheckResult> {
  let info: Stats
  try {
    info = await stat(dir)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return ok(name, `${dir} (not created yet; made on first use)`)
    return fail(name, `cannot read ${dir}: ${code ?? (error as Error).message}`, `check the permissions of ${dir} and of the directories above it`)
  }

  if (!info.isDirectory()) return fail(name, `${dir} is not a directory`, `move ${dir} away, or point entratool elsewhere`)
  try {
    await access(dir, constants.W_OK | constants.X_OK)
  } catch {
    return fail(name, `${dir} is not writable by you`, `fix its owner or permissions: chmod u+rwx ${dir}`)
  }

  if (platform !== 'win32' && info.mode & tooOpen) {
    const wanted = name === 'config directory' ? 700 : 755
    return warn(name, `${dir} is mode ${octal(info.mode)}: others can ${tooOpen === 0o077 ? 'look into it' : 'write into it'}`, `chmod ${wanted} ${dir}`)
  }

  return ok(name, `${dir} (mode ${octal(info.mode)})`)
}

async function protectedFilesCheck(configDir: string): Promise<CheckResult> {
  const name = 'key and secret files'
  const {count, exposed} = await exposedFiles(configDir, PROTECTED)
  if (exposed.length > 0) {
    const files = exposed.map((f) => f.replace(/ \(mode.*$/, ''))
    return fail(name, `readable by group or others: ${exposed.join(', ')}`, `chmod 600 ${files.join(' ')}`)
  }

  return ok(name, count === 0 ? 'none yet' : `${count} file${count === 1 ? '' : 's'} under keys/, secrets/ and cache/, all readable only by you`)
}
