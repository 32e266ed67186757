/**
 * What an installed `az` / `azd` shim does: answer the token questions (and `az account show`)
 * from entratool, from the start-up fast path when a cached token serves, and hand everything
 * else unchanged to the real program later on PATH. Kept off oclif: the fast path answers a
 * cached token in one short Node process, which is the point of the shim.
 */
import {spawn} from 'node:child_process'
import {fileURLToPath} from 'node:url'

import {findReal, passThrough} from './passthrough.js'
import type {CliRunner} from './shim-answer.js'
import {parseAz, parseAzd, renderOutput, type ShimRequest, type ShimTool} from './shim-args.js'

export type {ShimTool} from './shim-args.js'

const BIN = fileURLToPath(new URL('../../bin/run.js', import.meta.url))
/** entratool's exit codes that mean "no usable sign-in" (config, auth, interaction): the SDKs' "not logged in". */
const NOT_SIGNED_IN = new Set([3, 4, 5])

export async function runShim(tool: ShimTool, shimDir: string, installedProfile: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  const request = tool === 'az' ? parseAz(args) : parseAzd(args)
  if (!request) {
    const real = findReal(tool, shimDir, env)
    if (!real) {
      // "az: … not found" is also what the SDKs read as "not installed".
      process.stderr.write(
        `${tool}: the real ${tool === 'az' ? 'Azure CLI' : 'Azure Developer CLI'} was not found on PATH (after entratool's shim in ${shimDir}).\n` +
          `entratool's ${tool} shim answers only ${tool === 'az' ? '`az account get-access-token` and `az account show`' : '`azd auth token`'}; install ${tool} for \`${tool} ${args.join(' ')}\`.\n`,
      )
      process.exit(127)
    }

    passThrough(tool, real, args, env)
    return
  }

  const {answer} = await import('./shim-answer.js')
  const result = await answer(tool, request, installedProfile || undefined, env, viaCli)
  if (result.ok) {
    process.stdout.write(renderOutput(result.doc, request.output))
    return
  }

  process.stderr.write(failureText(tool, result.code, result.stderr))
  process.exitCode = result.code
}

/** The full CLI for what the fast path could not serve (a refresh, a first token). */
const viaCli: CliRunner = (argv, env) => {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...argv], {env, stdio: ['ignore', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    process.once('SIGTERM', () => child.kill('SIGTERM'))
    child.on('error', (error) => resolve({code: 1, stderr: `Error: cannot run entratool: ${error.message}`, stdout}))
    child.on('close', (code) => resolve({code: code ?? 1, stderr, stdout}))
  })
}

/**
 * az's and azd's own "not logged in" sentences first (AzureCliCredential matches "az login",
 * AzureDeveloperCliCredential "not logged in, run `azd auth login` to login", so a credential chain
 * moves on), then entratool's reason and next step.
 */
export function failureText(tool: ShimTool, code: number, stderr: string): string {
  // eslint-disable-next-line no-control-regex
  const lines = stderr.replaceAll(/\u001B\[[\d;]*m/g, '').split('\n').map((l) => l.trim()).filter(Boolean)
  const reason = lines.find((l) => l.startsWith('Error: '))?.slice('Error: '.length) ?? lines.at(-1) ?? `entratool exited with ${code}`
  const next = lines.find((l) => l.startsWith('→ '))
  const signIn = NOT_SIGNED_IN.has(code)
  const head =
    tool === 'az'
      ? signIn
        ? "ERROR: Please run 'az login' to setup account."
        : `ERROR: ${reason}`
      : signIn
        ? 'ERROR: fetching token: not logged in, run `azd auth login` to login'
        : `ERROR: fetching token: ${reason}`
  return `${head}\nentratool's ${tool} shim: ${reason}\n${next ? `${next}\n` : ''}`
}

export type {ShimRequest}
