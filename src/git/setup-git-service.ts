import type {Interfaces} from '@oclif/core'

import {usageError} from '../errors.js'
import {ProfileStore} from '../profiles/store.js'
import {profileName} from '../settings/resolve.js'
import {configDir} from '../storage/open-storage.js'
import type {ConfigScope, GitConfig} from './git-config.js'
import {helperCommand, helperValue, isEntratoolHelper} from './helper-command.js'

export interface SetupGitRequest {
  host: string
  profile?: string
  scope: ConfigScope
  remove: boolean
}

export interface SetupGitChange {
  action: 'add' | 'remove' | 'set'
  key: string
  value: string
}

export interface SetupGitResult {
  file: string
  changes: SetupGitChange[]
  url: string
}

export interface SetupGitDeps {
  config: Interfaces.Config
  env: NodeJS.ProcessEnv
  gitConfig: GitConfig
  executable: string
}

/**
 * Points git's credential helper for one https host at `entratool git-credential`, as
 * `gh auth setup-git` does for github.com: an empty `helper =` first (it resets the list, so a
 * general helper such as a keychain or a store of old PATs is not asked before entratool), then
 * entratool, and `useHttpPath = true` so each repository path is its own credential (different
 * Azure DevOps organisations may need different tokens). Running it again changes nothing.
 */
export class SetupGitService {
  constructor(private readonly deps: SetupGitDeps) {}

  async run(request: SetupGitRequest): Promise<SetupGitResult> {
    const url = `https://${checkHost(request.host)}`
    const helperKey = `credential.${url}.helper`
    const pathKey = `credential.${url}.useHttpPath`
    const git = this.deps.gitConfig
    const current = await git.getAll(request.scope, helperKey)
    const changes: SetupGitChange[] = []
    if (request.remove) {
      const kept = current.filter((v) => v !== '' && !isEntratoolHelper(v, this.deps.executable))
      if (kept.length !== current.length) {
        await git.unsetAll(request.scope, helperKey)
        for (const value of kept) await git.add(request.scope, helperKey, value)
        for (const value of current.filter((v) => !kept.includes(v))) changes.push({action: 'remove', key: helperKey, value})
        // useHttpPath belongs to the helper setup; with no other helper left for the host it goes too.
        if (kept.length === 0 && (await git.getAll(request.scope, pathKey)).length > 0) {
          await git.unsetAll(request.scope, pathKey)
          changes.push({action: 'remove', key: pathKey, value: 'true'})
        }

        await git.removeSectionIfEmpty(request.scope, `credential.${url}`)
      }

      return {changes, file: await git.file(request.scope), url}
    }

    const profile = await this.profile(request.profile)
    const wanted = ['', helperValue(helperCommand(this.deps.executable, this.deps.env), profile)]
    const others = current.filter((v) => v !== '' && !isEntratoolHelper(v, this.deps.executable))
    const target = [...wanted, ...others]
    if (current.length !== target.length || current.some((v, i) => v !== target[i])) {
      await git.unsetAll(request.scope, helperKey)
      for (const value of target) await git.add(request.scope, helperKey, value)
      for (const value of current.filter((v) => !target.includes(v))) changes.push({action: 'remove', key: helperKey, value})
      for (const value of wanted.filter((v) => !current.includes(v))) changes.push({action: 'add', key: helperKey, value})
    }

    const pathValues = await git.getAll(request.scope, pathKey)
    if (pathValues.length !== 1 || pathValues[0].toLowerCase() !== 'true') {
      await git.set(request.scope, pathKey, 'true')
      changes.push({action: 'set', key: pathKey, value: 'true'})
    }

    return {changes, file: await git.file(request.scope), url}
  }

  /** The profile the helper line names: it must exist now, or git would fail on first use. */
  private async profile(flag: string | undefined): Promise<string> {
    const store = new ProfileStore(configDir(this.deps.config, this.deps.env))
    const name = profileName(flag, this.deps.env, store.read().defaultProfile)
    await store.get(name)
    return name
  }
}

/** A host as git writes it in `host=`: a DNS name or IP literal, optionally with `:port`, nothing else. */
function checkHost(host: string): string {
  const trimmed = host.trim().replace(/^https:\/\//i, '').replace(/\/+$/, '')
  if (!/^(?:[a-z\d*](?:[a-z\d-]*[a-z\d])?\.)*[a-z\d](?:[a-z\d-]*[a-z\d])?(?::\d{1,5})?$|^\[[\d:a-f.]+\](?::\d{1,5})?$/i.test(trimmed)) {
    throw usageError(`--host '${host}' is not a host name`, {next: 'give the server as git sees it, e.g. --host dev.azure.com or --host git.example.com:8443'})
  }

  return trimmed.toLowerCase()
}
