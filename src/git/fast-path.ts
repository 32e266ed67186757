/**
 * Serves `git-credential` before oclif loads when no token request is needed: git runs the helper
 * for `get` and again for `store` on every fetch or push, and booting oclif costs about twice a
 * bare Node start. `store` (nothing to keep), a host that gets no token, and a `get` the token cache
 * answers are served here with the same modules the command uses; anything else (erase, a cache
 * miss, a sign-in, --debug, user-installed plugins) goes on to oclif with the request already read.
 */
import {TokenService} from '../flows/token-service.js'
import {stateDirs, userPluginsInstalled} from '../storage/state-dirs.js'
import {credentialAnswer, isOurRequest} from './answer.js'
import {type CredentialRequest, readCredentialRequest} from './credential-protocol.js'
import {ProcessGitConfig} from './git-config.js'
import {gitScopes} from './hosts.js'

/** Shared through the global registry, so the command finds it whichever copy of this module it loads. */
const EARLY = Symbol.for('entratool.git-credential.request')
type Early = CredentialRequest | Error
const registry = globalThis as typeof globalThis & {[EARLY]?: Early}

/** The request (or the reason it was refused) read before oclif started; taken once. */
export function takeRequestReadEarly(): Early | undefined {
  const early = registry[EARLY]
  delete registry[EARLY]
  return early
}

interface FastArgs {
  operation: string
  profile?: string
  scope: string[]
}

/** `git-credential [-p P] [-s S]… <operation>` and nothing else; undefined means "let oclif do it". */
export function parseFastGitArgs(argv: string[]): FastArgs | undefined {
  if (argv[0] !== 'git-credential') return undefined
  const args: FastArgs = {operation: '', scope: []}
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i]
    const [name, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined]
    if (name === '-p' || name === '--profile' || name === '-s' || name === '--scope') {
      const value = inline ?? argv[++i]
      if (value === undefined || value.startsWith('-')) return undefined
      if (name === '-p' || name === '--profile') args.profile = value
      else args.scope.push(value)
    } else if (!arg.startsWith('-') && !args.operation) {
      args.operation = arg
    } else {
      return undefined
    }
  }

  return args.operation ? args : undefined
}

/** True when the answer was written; false when oclif must run the command (the request is kept for it). */
export async function tryFastGitCredential(argv: string[], env: NodeJS.ProcessEnv = process.env, stdin: NodeJS.ReadableStream = process.stdin, executable = process.argv[1]): Promise<boolean> {
  const args = parseFastGitArgs(argv)
  const where = stateDirs(env)
  // User-installed plugins may answer the credential-provider hook: only oclif knows them.
  if (!args || !where || env.ENTRATOOL_DEBUG || userPluginsInstalled(where)) return false
  let request: CredentialRequest
  try {
    request = await readCredentialRequest(stdin)
  } catch (error) {
    registry[EARLY] = error as Error
    return false
  }

  registry[EARLY] = request
  try {
    const answer = await fastAnswer(args, request, env, executable)
    if (answer === undefined) return false
    process.stdout.write(answer)
    delete registry[EARLY]
    return true
  } catch {
    return false
  }
}

async function fastAnswer(args: FastArgs, request: CredentialRequest, env: NodeJS.ProcessEnv, executable: string): Promise<string | undefined> {
  if (args.operation === 'store') return ''
  if (args.operation !== 'get') return undefined
  if (!(await isOurRequest(request, new ProcessGitConfig(env), executable))) return ''
  // The same request the command makes (git-credential-service.ts): the scope follows the profile.
  const cached = await TokenService.cachedOnly({profile: args.profile, scopeFor: (profile) => gitScopes(args.scope, profile?.scopes)}, env)
  return cached && credentialAnswer(request, cached.outcome)
}
