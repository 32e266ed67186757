import {readFileSync} from 'node:fs'
import {isAbsolute, join, resolve} from 'node:path'

/**
 * The commit a git checkout of entratool is at, read from the `.git` files at the package root
 * (never by running git: `--version` is on the benchmark, and git may not be installed). Only
 * `<root>/.git` is looked at, so an installed copy inside someone else's repository shows none.
 * Handles a worktree (`.git` is a file naming the git directory), a detached HEAD, loose and
 * packed refs. Undefined when any of it is missing.
 */
export function gitCommit(root: string): string | undefined {
  try {
    const gitDir = resolveGitDir(root)
    const head = readFileSync(join(gitDir, 'HEAD'), 'utf8').trim()
    if (/^[0-9a-f]{40,64}$/.test(head)) return head
    const ref = /^ref: (refs\/\S+)$/.exec(head)?.[1]
    if (!ref) return undefined
    const commonDir = readCommonDir(gitDir)
    for (const dir of new Set([gitDir, commonDir])) {
      const loose = readOptional(join(dir, ref))?.trim()
      if (loose && /^[0-9a-f]{40,64}$/.test(loose)) return loose
    }

    const packed = readOptional(join(commonDir, 'packed-refs')) ?? ''
    for (const line of packed.split('\n')) {
      const [sha, name] = line.split(' ')
      if (name === ref && /^[0-9a-f]{40,64}$/.test(sha)) return sha
    }
  } catch {
    return undefined
  }

  return undefined
}

/** `entratool/0.1.0 linux-x64 node-v20.20.2`, plus ` commit <sha>` from a git checkout. */
export function versionLine(userAgent: string, root: string): string {
  const commit = gitCommit(root)
  return commit ? `${userAgent} commit ${commit}` : userAgent
}

function resolveGitDir(root: string): string {
  const dotGit = join(root, '.git')
  const pointer = readOptional(dotGit)
  if (pointer === undefined) return dotGit
  const target = /^gitdir: (.+)$/m.exec(pointer)?.[1]?.trim()
  if (!target) throw new Error('not a git pointer file')
  return isAbsolute(target) ? target : resolve(root, target)
}

function readCommonDir(gitDir: string): string {
  const common = readOptional(join(gitDir, 'commondir'))?.trim()
  if (!common) return gitDir
  return isAbsolute(common) ? common : resolve(gitDir, common)
}

/** A file's text; undefined when it is absent or a directory. */
function readOptional(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') return undefined
    throw error
  }
}
