import {spawn} from 'node:child_process'
import {accessSync, closeSync, constants, openSync, readSync, realpathSync} from 'node:fs'
import {delimiter, join, resolve} from 'node:path'

import {scrubbedEnv} from '../lib/child-env.js'

/** The first line after the interpreter line of every shim `shim install` writes. */
export const SHIM_MARKER = '# entratool-shim'

/** True when `file` is a shim written by entratool (so never the "real" program). */
export function isShim(file: string): boolean {
  let fd: number | undefined
  try {
    fd = openSync(file, 'r')
    const head = Buffer.alloc(256)
    const read = readSync(fd, head, 0, head.length, 0)
    return head.subarray(0, read).toString('utf8').includes(SHIM_MARKER)
  } catch {
    return false
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}

/**
 * The real `tool` on PATH: the first executable of that name that is not an entratool shim and
 * not in the shim's own directory, wherever the shim directory sits on PATH.
 */
export function findReal(tool: string, shimDir: string, env: NodeJS.ProcessEnv): string | undefined {
  const own = canonical(shimDir)
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir || canonical(dir) === own) continue
    const file = join(dir, tool)
    try {
      accessSync(file, constants.X_OK)
    } catch {
      continue
    }

    if (!isShim(file)) return file
  }

  return undefined
}

/** What a shell would run for `tool` now (resolved, not canonicalised), or undefined. */
export function firstOnPath(tool: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue
    try {
      accessSync(join(dir, tool), constants.X_OK)
      return join(resolve(dir), tool)
    } catch {
      // Not here: the next directory.
    }
  }

  return undefined
}

function canonical(dir: string): string {
  try {
    return realpathSync(dir)
  } catch {
    return resolve(dir)
  }
}

/**
 * Runs the real program with the arguments unchanged and the terminal shared, minus the secret
 * variables (a real az must not pick up entratool's or an SDK's secret), and ends this process
 * the way the child ended.
 */
export function passThrough(tool: string, real: string, args: readonly string[], env: NodeJS.ProcessEnv): void {
  const child = spawn(real, args, {env: scrubbedEnv(env), stdio: 'inherit'})
  // The terminal sends Ctrl+C to the whole process group: the child decides, this process waits for it.
  const ignore = () => {}
  for (const signal of ['SIGINT', 'SIGQUIT'] as const) process.on(signal, ignore)
  process.on('SIGTERM', () => child.kill('SIGTERM'))
  child.on('error', (error) => {
    process.stderr.write(`${tool}: cannot run ${real}: ${error.message}\n`)
    process.exit(126)
  })
  child.on('exit', (code, signal) => {
    if (signal) {
      process.removeAllListeners(signal)
      process.kill(process.pid, signal)
      return
    }

    process.exit(code ?? 1)
  })
}
