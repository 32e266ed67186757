import {accessSync, constants, realpathSync} from 'node:fs'
import {basename, delimiter, join} from 'node:path'

/**
 * How git's config names entratool in `credential.<url>.helper`. Like `gh auth setup-git`: the bare
 * name when `entratool` on PATH is this very program (an upgrade or reinstall then keeps working),
 * else this program's absolute path (a checkout, a tarball, an npx cache), which git would not find
 * by name. `executable` is the script this process runs (bin/run.js).
 */
export function helperCommand(executable: string, env: NodeJS.ProcessEnv): string {
  const self = real(executable)
  const onPath = findOnPath('entratool', env.PATH ?? '')
  return onPath && self && real(onPath) === self ? 'entratool' : shellQuote(self ?? executable)
}

/** The helper value setup-git writes: a shell snippet (`!`), run by git with `get|store|erase` appended. */
export function helperValue(command: string, profile: string): string {
  return `!${command} git-credential -p ${shellQuote(profile)}`
}

/**
 * Whether a helper value runs entratool's git-credential: `entratool git-credential …` or this
 * program's path (however it is quoted), as setup-git writes it, with or without the `!`.
 */
export function isEntratoolHelper(value: string, executable: string): boolean {
  const words = shellWords(value.trim().replace(/^!/, ''))
  if (words[1] !== 'git-credential') return false
  if (basename(words[0]) === 'entratool') return true
  const self = real(executable)
  return self !== undefined && real(words[0]) === self
}

export function shellQuote(word: string): string {
  return /^[\w%+,./:=@-]+$/.test(word) ? word : `'${word.replaceAll("'", String.raw`'\''`)}'`
}

/** Enough of sh's word splitting for what setup-git writes: single and double quotes, backslashes. */
function shellWords(text: string): string[] {
  const words: string[] = []
  let current: string | undefined
  let quote: '"' | "'" | undefined
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (quote === "'") {
      if (c === "'") quote = undefined
      else current += c
    } else if (quote === '"') {
      if (c === '"') quote = undefined
      else if (c === '\\' && i + 1 < text.length) current += text[++i]
      else current += c
    } else if (/\s/.test(c)) {
      if (current !== undefined) words.push(current)
      current = undefined
    } else if (c === "'" || c === '"') {
      quote = c
      current ??= ''
    } else if (c === '\\' && i + 1 < text.length) {
      current = (current ?? '') + text[++i]
    } else {
      current = (current ?? '') + c
    }
  }

  if (current !== undefined) words.push(current)
  return words
}

function findOnPath(name: string, path: string): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue
    const candidate = join(dir, name)
    try {
      accessSync(candidate, constants.X_OK)
      return candidate
    } catch {
      // Not here; keep looking, as the shell would.
    }
  }

  return undefined
}

function real(path: string): string | undefined {
  try {
    return realpathSync(path)
  } catch {
    return undefined
  }
}
