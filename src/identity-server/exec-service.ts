/**
 * `exec`: the identity server on an ephemeral loopback port with a fresh secret, for exactly as
 * long as one child process runs. The child reaches it through the variables every Azure SDK
 * reads, so it keeps getting fresh tokens however long it runs.
 */
import {type ServiceDeps, TokenService} from '../flows/token-service.js'
import {scrubbedEnv} from '../lib/child-env.js'
import {Ui} from '../ui/ui.js'
import {programProblem, runChild} from './child.js'
import {IdentityService} from './identity-service.js'

export interface ExecRequest {
  profile?: string
  /** Scopes for ENTRA_ACCESS_TOKEN; the profile's scopes when absent. */
  scope?: string[]
  minValidityMs: number
  command: string
  args: string[]
}

export async function execWithIdentity(deps: ServiceDeps, request: ExecRequest): Promise<number> {
  const quiet = new Ui({debug: deps.ui.debugging, silent: true})
  const identity = new IdentityService(deps)
  const [profile] = await identity.resolveProfiles(request.profile ? [request.profile] : [])
  const problem = programProblem(request.command, deps.env)
  if (problem) {
    deps.ui.error(`Error: ${problem.message}`)
    deps.ui.instruct(`→ ${problem.next}`)
    return problem.code
  }

  const scope = request.scope ?? (profile.scopes?.length ? profile.scopes : undefined)
  const extra: Record<string, string> = {}
  if (scope) {
    // Run before the child starts and may sign in (a person is at the terminal); the server's own
    // requests never can.
    const outcome = await new TokenService({...deps, ui: quiet}).getToken({minValidityMs: request.minValidityMs, profile: profile.name, scope})
    extra.ENTRA_ACCESS_TOKEN = outcome.token.accessToken
    extra.ENTRA_TOKEN_EXPIRES_ON = String(Math.floor(outcome.token.expiresOn.getTime() / 1000))
  }

  const running = await identity.start({audit: (line) => deps.ui.debug(line), bind: '127.0.0.1', minValidityMs: request.minValidityMs, port: 0, profiles: [profile.name]}, [profile])
  try {
    // DefaultAzureCredential sends AZURE_CLIENT_ID as the managed identity's client_id: another
    // app's id (a developer's leftover) would make every request a 400.
    const stray = deps.env.AZURE_CLIENT_ID && deps.env.AZURE_CLIENT_ID.toLowerCase() !== profile.clientId.toLowerCase() ? ['AZURE_CLIENT_ID'] : []
    const env = {...scrubbedEnv(deps.env, stray), ...running.env, ...extra}
    deps.ui.debug(`serving profile '${profile.name}' at ${running.endpoint} to ${request.command}`)
    return await runChild(request.command, request.args, env, deps.ui)
  } finally {
    await running.close()
  }
}
