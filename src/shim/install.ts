import {existsSync, statSync} from 'node:fs'
import {chmod, readdir, rm, rmdir} from 'node:fs/promises'
import {join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'

import {configError, usageError} from '../errors.js'
import {writePrivateFile} from '../storage/private-files.js'
import {shellQuote} from '../tokens/render-token.js'
import {findReal, firstOnPath, isShim, SHIM_MARKER} from './passthrough.js'
import type {ShimTool} from './run-shim.js'

export const SHIM_TOOLS: readonly ShimTool[] = ['az', 'azd']
const MAIN = fileURLToPath(new URL('main.js', import.meta.url))

export interface InstalledShims {
  dir: string
  files: string[]
  /** The line to add to a shell profile. */
  pathLine: string
  /** True when the directory is already first among the places PATH finds az. */
  active: boolean
  /** The real programs the shims hand other commands to (from the current PATH), by tool. */
  real: Partial<Record<ShimTool, string>>
}

/** The script for one tool: Node and entratool as installed now, the profile fixed at install. */
export function shimScript(tool: ShimTool, dir: string, profile: string | undefined, node = process.execPath, main = MAIN): string {
  const answers = tool === 'az' ? '`az account get-access-token` and `az account show`' : '`azd auth token`'
  return [
    '#!/bin/sh',
    `${SHIM_MARKER}: ${answers} from entratool; every other command goes to the real ${tool} later on PATH.`,
    '# Written by `entratool shim install` (run it again after moving Node or entratool); removed by `entratool shim uninstall`.',
    `exec ${shellQuote(node)} ${shellQuote(main)} ${tool} ${shellQuote(dir)} ${shellQuote(profile ?? '')} "$@"`,
    '',
  ].join('\n')
}

export async function installShims(dirInput: string, profile: string | undefined, env: NodeJS.ProcessEnv): Promise<InstalledShims> {
  if (process.platform === 'win32') throw configError('the az and azd shims are POSIX shell scripts; Windows is not supported yet', {next: 'use `entratool get-token -o azure-cli` or `-o azd` directly'})
  const dir = resolve(dirInput)
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw usageError(`--dir ${dir} is not a directory`, {next: 'pass a directory for the shims (it is created when missing)'})
  const files = SHIM_TOOLS.map((tool) => join(dir, tool))
  const foreign = files.find((file) => existsSync(file) && !isShim(file))
  if (foreign) throw configError(`${foreign} exists and is not an entratool shim; nothing was changed`, {next: 'choose another --dir (the real az must stay where it is, later on PATH)'})
  for (const [i, tool] of SHIM_TOOLS.entries()) {
    await writePrivateFile(files[i], shimScript(tool, dir, profile))
    await chmod(files[i], 0o700)
  }

  const real: InstalledShims['real'] = {}
  for (const tool of SHIM_TOOLS) {
    const found = findReal(tool, dir, env)
    if (found) real[tool] = found
  }

  return {
    active: firstOnPath('az', env) === files[0],
    dir,
    files,
    pathLine: /^[\w./-]+$/.test(dir) ? `export PATH="${dir}:$PATH"` : `export PATH=${shellQuote(dir)}:"$PATH"`,
    real,
  }
}

export interface RemovedShims {
  dir: string
  /** Files named az or azd that entratool did not write. */
  kept: string[]
  removed: string[]
}

/** Removes only files entratool wrote, and the directory when that leaves it empty. */
export async function uninstallShims(dirInput: string): Promise<RemovedShims> {
  const dir = resolve(dirInput)
  const removed: string[] = []
  const kept: string[] = []
  for (const tool of SHIM_TOOLS) {
    const file = join(dir, tool)
    if (!existsSync(file)) continue
    if (isShim(file)) {
      await rm(file)
      removed.push(file)
    } else {
      kept.push(file)
    }
  }

  const left = await readdir(dir).catch(() => undefined)
  if (left?.length === 0) await rmdir(dir).catch(() => {})
  return {dir, kept, removed}
}
