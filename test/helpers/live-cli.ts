import {spawn} from 'node:child_process'

import {BIN, type CliResult} from './cli.js'

/**
 * The built CLI as a subprocess that a test talks to while it runs: wait for a line on stderr
 * (a URL to sign in at), then write to its stdin (a pasted address) or act on its behalf.
 */
export interface LiveCli {
  /** Resolves with the first match of `pattern` in stderr so far or to come. */
  stderrMatch(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>
  write(text: string): void
  end(text?: string): void
  result: Promise<CliResult>
  readonly stderr: string
}

export function startCli(args: string[], env: Record<string, string | undefined>, timeoutMs = 60_000): LiveCli {
  const child = spawn(process.execPath, [BIN, ...args], {env: env as NodeJS.ProcessEnv, stdio: ['pipe', 'pipe', 'pipe']})
  let stdout = ''
  let stderr = ''
  const waiters: Array<() => void> = []
  child.stdout.on('data', (d) => (stdout += d))
  child.stderr.on('data', (d) => {
    stderr += d
    for (const waiter of waiters) waiter()
  })
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
  const result = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      for (const waiter of waiters) waiter()
      resolve({code, signal, stderr, stdout})
    })
  })
  let closed = false
  void result.then(() => (closed = true))
  return {
    end: (text) => child.stdin.end(text),
    result,
    get stderr() {
      return stderr
    },
    stderrMatch(pattern, waitMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = pattern.exec(stderr)
          if (match) {
            clearTimeout(giveUp)
            waiters.splice(waiters.indexOf(check), 1)
            resolve(match)
          } else if (closed) {
            clearTimeout(giveUp)
            reject(new Error(`the CLI ended without printing ${pattern}: ${stderr}`))
          }
        }

        const giveUp = setTimeout(() => reject(new Error(`no ${pattern} on stderr within ${waitMs} ms: ${stderr}`)), waitMs)
        waiters.push(check)
        check()
      })
    },
    write: (text) => child.stdin.write(text),
  }
}
