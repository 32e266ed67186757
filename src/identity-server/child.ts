import {spawn} from 'node:child_process'
import {accessSync, constants as fs, statSync} from 'node:fs'
import {constants} from 'node:os'
import {delimiter, join} from 'node:path'

import type {Ui} from '../ui/ui.js'

/** Signals a person or a supervisor sends to `exec`; the child gets them too, then decides. */
const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const

/**
 * Whether `command` can be run, checked as a shell would before anything else happens (no token
 * is fetched for a program that does not exist): 127 not found, 126 not executable.
 */
export function programProblem(command: string, env: NodeJS.ProcessEnv): {code: 126 | 127; message: string; next: string} | undefined {
  const candidates = command.includes('/') ? [command] : (env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, command))
  let found: string | undefined
  for (const path of candidates) {
    try {
      if (statSync(path).isFile()) {
        accessSync(path, fs.X_OK)
        return undefined
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EACCES') found ??= path
      continue
    }

    found ??= path
  }

  if (found === undefined) return {code: 127, message: `command not found: ${command}`, next: 'check its name and PATH, or give its full path'}
  return {code: 126, message: `cannot run ${found}: not an executable file`, next: 'is it an executable file? (chmod +x, or run it through its interpreter)'}
}

/**
 * Runs `command` with `env` on this terminal and resolves with the exit code a shell would report:
 * the child's code, 128 + the signal that killed it, 127 when the command is not found, 126 when
 * it cannot be run.
 */
export function runChild(command: string, args: string[], env: NodeJS.ProcessEnv, ui: Ui): Promise<number> {
  // From here on a Ctrl+C belongs to the child (Terraform, for one, shuts down gracefully on the
  // first SIGINT): entratool's own handler would cancel and force an exit after 3 s.
  process.removeAllListeners('SIGINT')
  return new Promise((resolve) => {
    const child = spawn(command, args, {env, stdio: 'inherit'})
    // On a terminal, Ctrl+C already reaches the child (it is in the foreground process group with
    // us); a second SIGINT from here would make Terraform abandon its graceful stop. So SIGINT is
    // passed on only when no terminal sent it; SIGTERM and SIGHUP always are.
    const terminal = Boolean(process.stdin.isTTY)
    const forward = (signal: NodeJS.Signals) => {
      if (!(signal === 'SIGINT' && terminal)) child.kill(signal)
    }
    for (const signal of FORWARDED) process.on(signal, forward)
    const done = (code: number) => {
      for (const signal of FORWARDED) process.off(signal, forward)
      resolve(code)
    }

    child.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') {
        ui.error(`Error: command not found: ${command}`)
        ui.instruct('→ check its name and PATH, or give its full path')
        done(127)
      } else {
        ui.error(`Error: cannot run ${command} (${error.code ?? error.message})`)
        ui.instruct('→ is it an executable file? (chmod +x, or run it through its interpreter)')
        done(126)
      }
    })
    child.once('exit', (code, signal) => done(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0)))
  })
}
