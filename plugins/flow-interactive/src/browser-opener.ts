import {spawn} from 'node:child_process'

import {type DisplayEnvironment, isWsl, systemDisplayEnvironment} from './headless.js'

/**
 * `opened`: a browser command is running (or a launcher we trust reported success). `launched`:
 * a command finished at once without an error (xdg-open, wslview, a BROWSER that hands the URL to
 * a running browser): nothing says a window appeared, so the URL must be shown as well.
 */
export type OpenOutcome = 'failed' | 'launched' | 'opened'

/** How a started command fared within the launch wait. */
export type SpawnOutcome = {reason: string; type: 'failed'} | {type: 'exited'} | {type: 'running'}

/** A command that was still running at the end of the launch wait and then failed. */
export type LateFailure = (reason: string) => void

/**
 * How long a browser command gets to fail before it counts as running (chromium without a display
 * exits 1 at once), unless the browser shows sooner that it opened by loading the address.
 */
export const LAUNCH_WAIT_MS = 1000

export interface BrowserOpenerDeps extends DisplayEnvironment {
  /**
   * Starts a detached process with an environment free of secrets and waits up to the launch wait
   * for it to fail, or until `reached` is aborted; a failure after that reaches `late`.
   */
  spawn(command: string, args: string[], late?: LateFailure, reached?: AbortSignal): Promise<SpawnOutcome>
}

/** `env` is read (BROWSER, WSL); `childEnv` is what the started commands get: no secrets in it. */
export function systemBrowserOpenerDeps(env: NodeJS.ProcessEnv, childEnv: NodeJS.ProcessEnv = env, waitMs = LAUNCH_WAIT_MS): BrowserOpenerDeps {
  return {...systemDisplayEnvironment(env), spawn: (command, args, late, reached) => spawnWatched(command, args, childEnv, waitMs, late, reached)}
}

/**
 * Starts the browser for `url`. Every command that fails is reported through `report` (at once
 * or, for one that failed after the launch wait, later) so the flow can say so and show the URL.
 *
 * `reached` is aborted once the browser has loaded `url` (the flow's loopback server sees it):
 * the browser opened, so the launch wait ends there, and how its command ends after that (a
 * wrapper script's exit status, say) no longer matters.
 */
export async function openBrowser(url: string, deps: BrowserOpenerDeps, report: LateFailure = () => {}, reached?: AbortSignal): Promise<OpenOutcome> {
  const reportUnlessReached: LateFailure = (reason) => {
    if (!reached?.aborted) report(reason)
  }

  if (deps.env.BROWSER) {
    // An explicit BROWSER is the person's choice: when none of its commands works, say so and
    // show the URL rather than launch something they did not ask for.
    for (const [command, ...args] of browserCommands(deps.env.BROWSER, url, deps.platform)) {
      const outcome = await deps.spawn(command, args, reportUnlessReached, reached)
      if (outcome.type === 'running' || reached?.aborted) return 'opened'
      if (outcome.type === 'exited') return 'launched'
      report(outcome.reason)
    }

    return 'failed'
  }

  // The platform's own opener, started here rather than through a library so that it gets the
  // environment without secrets. macOS `open` and Windows' URL handler report a failure; xdg-open
  // and wslview hand the URL on and cannot tell whether a browser appeared.
  const trusted = deps.platform === 'darwin' || deps.platform === 'win32'
  for (const [command, ...args] of defaultCommands(url, deps)) {
    const outcome = await deps.spawn(command, args, reportUnlessReached, reached)
    if (reached?.aborted) return 'opened'
    if (outcome.type !== 'failed') return trusted ? 'opened' : 'launched'
    report(outcome.reason)
  }

  return 'failed'
}

function defaultCommands(url: string, deps: DisplayEnvironment): [string, ...string[]][] {
  if (isWsl(deps)) {
    // cmd.exe parses the line again: escape its metacharacters (a URL's `&` above all).
    return [
      ['wslview', url],
      ['cmd.exe', '/c', 'start', '""', url.replaceAll(/[&|<>^()%]/g, '^$&')],
    ]
  }

  if (deps.platform === 'darwin') return [['open', url]]
  // rundll32 takes the URL as one argument that no shell parses again.
  if (deps.platform === 'win32') return [['rundll32', 'url.dll,FileProtocolHandler', url]]
  return [['xdg-open', url]]
}

/**
 * BROWSER as gh, xdg-open and Python read it: a list (`:`-separated, `;` on Windows) of
 * commands, each either containing `%s` for the URL or getting the URL appended.
 */
export function browserCommands(browser: string, url: string, platform: NodeJS.Platform): [string, ...string[]][] {
  const commands: [string, ...string[]][] = []
  for (const entry of browser.split(platform === 'win32' ? ';' : ':')) {
    const words = splitWords(entry)
    if (words.length === 0) continue
    const withUrl = words.some((word) => word.includes('%s')) ? words.map((word) => word.replaceAll('%s', () => url)) : [...words, url]
    commands.push(withUrl as [string, ...string[]])
  }

  return commands
}

/** Splits on whitespace, keeping single- or double-quoted runs (paths with spaces) together. */
function splitWords(entry: string): string[] {
  const words: string[] = []
  let current = ''
  let inWord = false
  let quote: string | undefined
  for (const char of entry) {
    if (quote) {
      if (char === quote) quote = undefined
      else current += char
    } else if (char === '"' || char === "'") {
      quote = char
      inWord = true
    } else if (/\s/.test(char)) {
      if (inWord) words.push(current)
      current = ''
      inWord = false
    } else {
      current += char
      inWord = true
    }
  }

  if (inWord) words.push(current)
  return words
}

function spawnWatched(command: string, args: string[], env: NodeJS.ProcessEnv, waitMs: number, late?: LateFailure, reached?: AbortSignal): Promise<SpawnOutcome> {
  return new Promise((resolve) => {
    let decided = false
    const decide = (outcome: SpawnOutcome) => {
      if (decided) return
      decided = true
      resolve(outcome)
    }

    const child = spawn(command, args, {detached: true, env, stdio: 'ignore', windowsHide: true})
    child.once('error', (error: NodeJS.ErrnoException) => decide({reason: `${command} could not be started (${error.code ?? error.message})`, type: 'failed'}))
    child.once('exit', (code, signal) => {
      const failure = code === 0 ? undefined : `${command} exited with ${code === null ? `signal ${signal}` : `code ${code}`}`
      if (decided) {
        if (failure) late?.(failure)
        return
      }

      decide(failure ? {reason: failure, type: 'failed'} : {type: 'exited'})
    })
    child.once('spawn', () => {
      // Still running at the end of the wait, or the browser loaded the address: a browser window.
      // The process may end on its own later; a failure then still reaches `late` while the flow waits.
      const running = () => {
        stopWaiting()
        child.unref()
        decide({type: 'running'})
      }

      const timer = setTimeout(running, waitMs)
      const stopWaiting = () => {
        clearTimeout(timer)
        reached?.removeEventListener('abort', running)
      }

      child.once('exit', stopWaiting)
      if (reached?.aborted) running()
      else reached?.addEventListener('abort', running, {once: true})
    })
  })
}
