import {readdir, stat} from 'node:fs/promises'
import {join} from 'node:path'

const octal = (mode: number) => (mode & 0o777).toString(8).padStart(3, '0')

/**
 * Files under `subdirs` of the config directory that group or others may read, as "path (mode
 * 644)", and how many files were looked at. What ssh refuses for a private key: a key or secret
 * restored from a backup with loose modes.
 */
export async function exposedFiles(configDir: string, subdirs: readonly string[]): Promise<{count: number; exposed: string[]}> {
  const exposed: string[] = []
  let count = 0
  for (const sub of subdirs) {
    const dir = join(configDir, sub)
    let entries: string[]
    try {
      entries = await readdir(dir)
    } catch {
      continue
    }

    for (const entry of entries) {
      const file = join(dir, entry)
      try {
        const info = await stat(file)
        if (!info.isFile()) continue
        count++
        if (info.mode & 0o077) exposed.push(`${file} (mode ${octal(info.mode)})`)
      } catch {
        // Gone between the listing and the stat: nothing to protect.
      }
    }
  }

  return {count, exposed}
}
