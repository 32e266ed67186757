import {type ServiceDeps, TokenService} from '../flows/token-service.js'
import {ProfileStore} from '../profiles/store.js'
import {profileName} from '../settings/resolve.js'
import {configDir} from '../storage/open-storage.js'
import {type CredentialRequest, readCredentialRequest, serializeCredential} from './credential-protocol.js'
import type {GitConfig} from './git-config.js'
import {isEntratoolHelper} from './helper-command.js'
import {gitScopes, isConfiguredHost} from './hosts.js'

export interface GitCredentialOptions {
  profile?: string
  scope?: string[]
}

export interface GitCredentialDeps extends ServiceDeps {
  gitConfig: GitConfig
  /** The script this process runs, to recognise setup-git's helper entries that name it by path. */
  executable: string
}

/**
 * git's credential helper (gitcredentials(7)): `get` answers an Entra access token for the
 * profile, `erase` forgets a token the server refused, `store` has nothing to keep (the token cache
 * already holds it). Anything else is ignored, as the protocol asks of helpers.
 */
export class GitCredentialService {
  constructor(private readonly deps: GitCredentialDeps) {}

  /** Reads git's request from `input` (all of it, before any sign-in starts) and returns the answer. */
  async answer(operation: string, input: NodeJS.ReadableStream, options: GitCredentialOptions): Promise<string> {
    return this.handle(operation, await readCredentialRequest(input), options)
  }

  /** What to write on stdout for git (possibly nothing). */
  async handle(operation: string, request: CredentialRequest, options: GitCredentialOptions): Promise<string> {
    const {ui} = this.deps
    if (operation !== 'get' && operation !== 'erase') {
      if (operation !== 'store') ui.debug(`git-credential: ignoring the unknown operation '${operation}'`)
      return ''
    }

    const protocol = request.attributes.get('protocol')
    const host = request.attributes.get('host') ?? ''
    // A token never travels over plain http, nor to a host that did not ask for entratool.
    if (protocol !== 'https' || !(await this.isOurHost(host))) {
      ui.debug(`git-credential: no answer for ${protocol ?? '?'}://${host} (not a host set up for entratool)`)
      return ''
    }

    const tokens = new TokenService(this.deps)
    const tokenRequest = {profile: options.profile, scope: this.scopes(options)}
    if (operation === 'erase') {
      const refused = request.attributes.get('password') ?? request.attributes.get('credential')
      const dropped = await tokens.forget(tokenRequest, refused)
      ui.debug(dropped ? 'git-credential: the refused token was dropped' : 'git-credential: no cached token matched the refused one')
      return ''
    }

    const outcome = await tokens.getToken({
      ...tokenRequest,
      nonInteractive: this.deps.env.GIT_TERMINAL_PROMPT === '0' ? 'GIT_TERMINAL_PROMPT=0' : undefined,
    })
    const {token} = outcome
    const expiry = String(Math.floor(token.expiresOn.getTime() / 1000))
    if (this.wantsBearer(request)) {
      // The capability line comes first: the values after it depend on it.
      return serializeCredential([
        ['capability[]', 'authtype'],
        ['authtype', 'Bearer'],
        ['credential', token.accessToken],
        ['ephemeral', 'true'],
        ['password_expiry_utc', expiry],
      ])
    }

    return serializeCredential([
      ['username', token.account?.username ?? outcome.profile],
      ['password', token.accessToken],
      ['password_expiry_utc', expiry],
    ])
  }

  private async isOurHost(host: string): Promise<boolean> {
    if (!host) return false
    return isConfiguredHost(host, await this.deps.gitConfig.scopedHelpers(), (helper) => isEntratoolHelper(helper, this.deps.executable))
  }

  /** --scope, else the profile's resource scope, else Azure DevOps'. */
  private scopes(options: GitCredentialOptions): string[] {
    if (options.scope?.length) return gitScopes(options.scope, undefined)
    const file = new ProfileStore(configDir(this.deps.config, this.deps.env)).read()
    const name = profileName(options.profile, this.deps.env, file.defaultProfile)
    return gitScopes(undefined, Object.hasOwn(file.profiles, name) ? file.profiles[name].scopes : undefined)
  }

  /**
   * Git 2.46+ announces `capability[]=authtype`: then the token goes as `Authorization: Bearer`,
   * unless the server's challenges (`wwwauth[]`, git 2.41+) offer no Bearer scheme.
   */
  private wantsBearer(request: CredentialRequest): boolean {
    if (!(request.lists.get('capability') ?? []).includes('authtype')) return false
    const challenges = request.lists.get('wwwauth') ?? []
    return challenges.length === 0 || challenges.some((c) => /^\s*bearer\b/i.test(c))
  }
}
