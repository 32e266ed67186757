import {type ServiceDeps, TokenService} from '../flows/token-service.js'
import type {Profile} from '../profiles/profile.js'
import {credentialAnswer, isOurRequest} from './answer.js'
import {type CredentialRequest, readCredentialRequest} from './credential-protocol.js'
import {takeRequestReadEarly} from './fast-path.js'
import type {GitConfig} from './git-config.js'
import {gitScopes} from './hosts.js'

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

  /**
   * Reads git's request from `input` (all of it, before any sign-in starts; or takes what the
   * start-up fast path already read) and returns the answer.
   */
  async answer(operation: string, input: NodeJS.ReadableStream, options: GitCredentialOptions): Promise<string> {
    const early = takeRequestReadEarly()
    if (early instanceof Error) throw early
    return this.handle(operation, early ?? (await readCredentialRequest(input)), options)
  }

  /** What to write on stdout for git (possibly nothing). */
  async handle(operation: string, request: CredentialRequest, options: GitCredentialOptions): Promise<string> {
    const {ui} = this.deps
    if (operation !== 'get' && operation !== 'erase') {
      if (operation !== 'store') ui.debug(`git-credential: ignoring the unknown operation '${operation}'`)
      return ''
    }

    if (!(await isOurRequest(request, this.deps.gitConfig, this.deps.executable))) {
      ui.debug(`git-credential: no answer for ${request.attributes.get('protocol') ?? '?'}://${request.attributes.get('host') ?? ''} (not a host set up for entratool)`)
      return ''
    }

    const tokens = new TokenService(this.deps)
    // --scope, else the profile's resource scope, else Azure DevOps'.
    const tokenRequest = {profile: options.profile, scopeFor: (profile?: Profile) => gitScopes(options.scope, profile?.scopes)}
    if (operation === 'erase') {
      const refused = request.attributes.get('password') ?? request.attributes.get('credential')
      const dropped = await tokens.forget(tokenRequest, refused)
      ui.debug(dropped ? 'git-credential: the refused token was dropped' : 'git-credential: no cached token matched the refused one')
      return ''
    }

    const outcome = await tokens.getToken({...tokenRequest, nonInteractive: this.deps.env.GIT_TERMINAL_PROMPT === '0' ? 'GIT_TERMINAL_PROMPT=0' : undefined})
    return credentialAnswer(request, outcome)
  }
}
