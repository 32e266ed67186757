/**
 * Runs `get-token` and `refresh` without booting oclif (~100 ms of every call: its import, config
 * and plugin loading), when the build's own plugins are all that could answer: no user-installed
 * plugin, a platform whose directories are known without oclif, no --debug. The command is the same
 * one: the same flag table (token-flags.ts), the same request (token-request.ts), the same token
 * service, storage hook and flows (answered by built-in-hooks.ts as oclif would), the same output
 * and the same error report and exit codes (cli/report-error.ts). Anything the parser does not read
 * as a well-formed call (--help, an unknown flag, a bad value) returns false, and oclif runs the
 * command from the start and says what is wrong, as it always has.
 */
import {type CommandIo, processIo} from './cli/io.js'
import {ignoreEpipe, interruptOnSigint} from './cli/process-guards.js'
import {reportError} from './cli/report-error.js'
import {builtInHooks} from './flows/built-in-hooks.js'
import {TokenService} from './flows/token-service.js'
import {stateDirs, userPluginsInstalled} from './storage/state-dirs.js'
import {renderToken, type TokenFormat} from './tokens/render-token.js'
import {GET_TOKEN_FLAGS, parseAllFlags, REFRESH_FLAGS} from './tokens/token-flags.js'
import {type GetTokenFlagValues, getTokenRequest, type RefreshFlagValues, refreshRequest} from './tokens/token-request.js'
import type {TokenRequest} from './tokens/token-types.js'
import {Ui} from './ui/ui.js'

const COMMANDS = {
  'get-token': {flags: GET_TOKEN_FLAGS, request: (flags: Record<string, unknown>, io: CommandIo) => getTokenRequest(flags as unknown as GetTokenFlagValues, io.env, Boolean(io.stderr.isTTY))},
  refresh: {flags: REFRESH_FLAGS, request: (flags: Record<string, unknown>) => refreshRequest(flags as RefreshFlagValues)},
} as const

/** True when the command ran here (its exit code is set on `io`); false when oclif must run it. */
export async function runTokenCommand(argv: string[], io: CommandIo = processIo()): Promise<boolean> {
  const [id, ...rest] = argv
  const command = id === 'get-token' || id === 'refresh' ? COMMANDS[id] : undefined
  const flags = command && parseAllFlags(command.flags, rest)
  const dirs = stateDirs(io.env)
  if (!command || !flags || !dirs || io.env.ENTRATOOL_DEBUG || userPluginsInstalled(dirs)) return false

  for (const stream of [io.stdout, io.stderr]) ignoreEpipe(stream)
  const abort = new AbortController()
  const detach = interruptOnSigint(abort)
  const ui = new Ui({debug: false, env: io.env, silent: flags.silent === true, stream: io.stderr})
  try {
    const request: TokenRequest = command.request(flags, io)
    const service = new TokenService({config: builtInHooks(dirs), env: io.env, signal: abort.signal, ui})
    const outcome = await service.getToken(request)
    await written(io.stdout, await renderToken(outcome, flags.output as TokenFormat, io.env))
  } catch (error) {
    io.setExitCode(reportError(error instanceof Error ? error : new Error(String(error)), {debug: false, helpCommand: `entratool ${id}`, ui}))
  } finally {
    detach()
  }

  return true
}

/** Resolves once `text` has left for the OS: the caller ends the process next (bin/run.js). */
function written(stream: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise((resolve) => stream.write(text, () => resolve()))
}
