import type {Hook} from '@oclif/core'
import {readFile, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

/** plugin-autocomplete rewrites its scripts on `autocomplete` and after `plugins install/uninstall`. */
const REGENERATED_BY = new Set(['autocomplete', 'autocomplete:create'])

/** After oclif's completion scripts are (re)generated, add the flag values they cannot complete. */
const hook: Hook<'postrun'> = async function ({Command, config}) {
  if (!REGENERATED_BY.has(Command.id)) return
  const {patchBash, patchPowerShell, patchZsh} = await import('../lib/completion-scripts.js')
  const dir = join(config.cacheDir, 'autocomplete', 'functions')
  const files: [string, typeof patchBash][] = [
    [join(dir, 'bash', `${config.bin}.bash`), patchBash],
    [join(dir, 'zsh', `_${config.bin}`), patchZsh],
    [join(dir, 'powershell', `${config.bin}.ps1`), patchPowerShell],
  ]
  await Promise.all(
    files.map(async ([file, patch]) => {
      const script = await readFile(file, 'utf8').catch(() => undefined)
      if (script !== undefined) await writeFile(file, patch(script, config.bin))
    }),
  )
}

export default hook
