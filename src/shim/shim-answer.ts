import {fastGetToken} from '../fast-path.js'
import type {ProfilesFile} from '../profiles/profile.js'
import {ProfileStore} from '../profiles/store.js'
import {profileName} from '../settings/resolve.js'
import {stateDirs} from '../storage/state-dirs.js'
import type {ShimRequest, ShimTool} from './shim-args.js'
import {accountShow, chooseProfile} from './shim-profile.js'

export type Answer = {code: number; ok: false; stderr: string} | {doc: Record<string, unknown>; ok: true}
/** The full CLI, for what the cache cannot serve (a refresh, a first token). */
export type CliRunner = (argv: string[], env: NodeJS.ProcessEnv) => Promise<{code: number; stderr: string; stdout: string}>

/** The document the shim prints, from the fast path or the full CLI; or entratool's failure. */
export async function answer(tool: ShimTool, request: ShimRequest, installed: string | undefined, env: NodeJS.ProcessEnv, cli: CliRunner): Promise<Answer> {
  let file: ProfilesFile
  let store: ProfileStore | undefined
  try {
    const where = stateDirs(env)
    store = where ? new ProfileStore(where.config) : undefined
    file = store ? store.read() : {profiles: {}, version: 1}
  } catch (error) {
    return {code: 3, ok: false, stderr: `Error: ${(error as Error).message}`}
  }

  const subscription = request.subscription || env.AZURE_SUBSCRIPTION_ID || undefined
  const choice = chooseProfile(file, installed, env, request.kind === 'token' ? request.tenant : undefined)
  if (request.kind === 'show') {
    let name: string
    try {
      name = profileName(choice.profile, env, file.defaultProfile)
    } catch (error) {
      return {code: 2, ok: false, stderr: `Error: ${(error as Error).message}`}
    }

    const doc = accountShow(file, name, subscription)
    if (doc) return {doc, ok: true}
    const exists = Object.hasOwn(file.profiles, name)
    return {
      code: 3,
      ok: false,
      stderr: exists
        ? `Error: profile '${name}' has no signed-in account\n→ sign in once: \`entratool get-token --profile ${name}\``
        : `Error: profile '${name}' does not exist\n→ create it with \`entratool create-profile --name ${name}\`, or install the shim with --profile`,
    }
  }

  const argv = [
    'get-token',
    ...(choice.profile ? ['--profile', choice.profile] : []),
    ...request.scopes.flatMap((scope) => ['--scope', scope]),
    ...(choice.tenant ? ['--tenant', choice.tenant] : []),
    ...(request.claims ? ['--claims', request.claims] : []),
    '--output',
    tool === 'az' ? 'azure-cli' : 'azd',
    '--silent',
  ]
  const childEnv = subscription ? {...env, AZURE_SUBSCRIPTION_ID: subscription} : env
  const cached = await fastGetToken(argv, childEnv, store)
  if (cached !== undefined) return {doc: JSON.parse(cached), ok: true}
  const res = await cli(argv, childEnv)
  if (res.code !== 0) return {code: res.code, ok: false, stderr: res.stderr}
  try {
    return {doc: JSON.parse(res.stdout), ok: true}
  } catch {
    return {code: 1, ok: false, stderr: `Error: entratool printed no ${tool} answer: ${res.stdout.slice(0, 200)}`}
  }
}
