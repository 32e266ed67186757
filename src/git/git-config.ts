import {execFile} from 'node:child_process'

import {configError, EntraToolError} from '../errors.js'

export type ConfigScope = 'global' | 'local'

/** The few `git config` operations entratool needs, behind an interface so tests can see what changes. */
export interface GitConfig {
  /** Every value of `key` in that file (empty when unset). */
  getAll(scope: ConfigScope, key: string): Promise<string[]>
  /** Every `credential.<url>.helper` entry git sees from this directory (all files), as [url, value]. */
  scopedHelpers(): Promise<Array<[string, string]>>
  set(scope: ConfigScope, key: string, value: string): Promise<void>
  add(scope: ConfigScope, key: string, value: string): Promise<void>
  unsetAll(scope: ConfigScope, key: string): Promise<void>
  /** Removes `[credential "<url>"]` when it holds nothing any more; a header with keys stays. */
  removeSectionIfEmpty(scope: ConfigScope, section: string): Promise<void>
  /** Where that scope's file is, for messages. */
  file(scope: ConfigScope): Promise<string>
}

interface GitRun {
  code: number
  stderr: string
  stdout: string
}

/** Runs Debian's (or any) `git config` as a child process: the real file format, locking and includes. */
export class ProcessGitConfig implements GitConfig {
  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly cwd = process.cwd(),
  ) {}

  async add(scope: ConfigScope, key: string, value: string): Promise<void> {
    await this.ok(['config', `--${scope}`, '--add', key, value])
  }

  async file(scope: ConfigScope): Promise<string> {
    if (scope === 'global') return this.env.GIT_CONFIG_GLOBAL || '~/.gitconfig'
    const {stdout} = await this.ok(['rev-parse', '--git-path', 'config'])
    return stdout.trim()
  }

  async getAll(scope: ConfigScope, key: string): Promise<string[]> {
    const res = await this.git(['config', `--${scope}`, '-z', '--get-all', key])
    if (res.code === 1) return []
    if (res.code !== 0) throw this.failure(res)
    return res.stdout.split('\0').slice(0, -1)
  }

  async removeSectionIfEmpty(scope: ConfigScope, section: string): Promise<void> {
    const left = await this.git(['config', `--${scope}`, '--get-regexp', `^${escapeRegExp(section)}\\.`])
    if (left.code === 1) await this.git(['config', `--${scope}`, '--remove-section', section])
  }

  async scopedHelpers(): Promise<Array<[string, string]>> {
    const res = await this.git(['config', '-z', '--get-regexp', String.raw`^credential\..+\.helper$`]).catch(() => undefined)
    if (!res || res.code !== 0) return []
    // -z: "key\nvalue\0" per entry; the key is credential.<url>.helper with the URL as written.
    return res.stdout
      .split('\0')
      .filter(Boolean)
      .map((entry) => {
        const newline = entry.indexOf('\n')
        const key = newline === -1 ? entry : entry.slice(0, newline)
        return [key.slice('credential.'.length, -'.helper'.length), newline === -1 ? '' : entry.slice(newline + 1)] as [string, string]
      })
  }

  async set(scope: ConfigScope, key: string, value: string): Promise<void> {
    await this.ok(['config', `--${scope}`, key, value])
  }

  async unsetAll(scope: ConfigScope, key: string): Promise<void> {
    const res = await this.git(['config', `--${scope}`, '--unset-all', key])
    // 5: nothing to unset.
    if (res.code !== 0 && res.code !== 5) throw this.failure(res)
  }

  private failure(res: GitRun): EntraToolError {
    const line = res.stderr.trim().split('\n').at(-1) ?? ''
    if (/inside a git repository|not in a git directory|not a git repository/i.test(res.stderr)) {
      return configError('--local needs a git repository, and this directory is not in one', {next: 'run it inside the repository, or use --global'})
    }

    return configError(`git config failed: ${line || `exit ${res.code}`}`, {next: 'check that git can write its config file'})
  }

  private git(args: string[]): Promise<GitRun> {
    return new Promise((resolve, reject) => {
      execFile('git', args, {cwd: this.cwd, encoding: 'utf8', env: this.env, maxBuffer: 4 * 1024 * 1024}, (error, stdout, stderr) => {
        const code = (error as {code?: number | string} | null)?.code
        if (code === 'ENOENT') {
          reject(configError('git is not installed (no `git` on PATH)', {next: 'install git, e.g. `sudo apt-get install git`'}))
          return
        }

        resolve({code: typeof code === 'number' ? code : error ? 1 : 0, stderr, stdout})
      })
    })
  }

  private async ok(args: string[]): Promise<GitRun> {
    const res = await this.git(args)
    if (res.code !== 0) throw this.failure(res)
    return res
  }
}

function escapeRegExp(text: string): string {
  return text.replaceAll(/[$()*+.?[\\\]^{|}]/g, String.raw`\$&`)
}
