import {spawn} from 'node:child_process'

import {type DisplayEnvironment, isWsl, systemDisplayEnvironment} from './headless.js'

/**
 * `opened`: a launcher we trust reported success. `launched`: a launcher started but cannot tell
 * whether a browser appeared (xdg-open, wslview), so the URL must be shown as well.
 */
export type OpenOutcome = 'failed' | 'launched' | 'opened'

export interface BrowserOpenerDeps extends DisplayEnvironment {
  /** Starts a detached process; resolves false when it could not be started (ENOENT, EACCES). */
  spawn(command: string, args: string[]): Promise<boolean>
  /** The platform's default handler (the `open` package). */
  openDefault(url: string): Promise<void>
}

export function systemBrowserOpenerDeps(env: NodeJS.ProcessEnv): BrowserOpenerDeps {
  return {...systemDisplayEnvironment(env), openDefault, spawn: (command, args) => spawnDetached(command, args, env)}
}

export async function openBrowser(url: string, deps: BrowserOpenerDeps): Promise<OpenOutcome> {
  if (deps.env.BROWSER) {
    // An explicit BROWSER is the person's choice: when none of its commands starts, say so and
    // show the URL rather than launch something they did not ask for.
    for (const [command, ...args] of browserCommands(deps.env.BROWSER, url, deps.platform)) {
      if (await deps.spawn(command, args)) return 'opened'
    }

    return 'failed'
  }

  if (isWsl(deps)) {
    if (await deps.spawn('wslview', [url])) return 'launched'
    // cmd.exe parses the line again: escape its metacharacters (a URL's `&` above all).
    if (await deps.spawn('cmd.exe', ['/c', 'start', '""', url.replaceAll(/[&|<>^()%]/g, '^$&')])) return 'launched'
    return 'failed'
  }

  try {
    await deps.openDefault(url)
  } catch {
    return 'failed'
  }

  // On Linux `open` hands the URL to xdg-open and resolves whether or not a browser appeared.
  return deps.platform === 'linux' ? 'launched' : 'opened'
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

function spawnDetached(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {detached: true, env, stdio: 'ignore', windowsHide: true})
    child.once('error', () => resolve(false))
    child.once('spawn', () => {
      child.unref()
      resolve(true)
    })
  })
}

async function openDefault(url: string): Promise<void> {
  const {default: open} = await import('open')
  await open(url)
}
