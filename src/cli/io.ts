import type {Config} from '@oclif/core'

/**
 * What a command reads and writes of the world outside: its streams, its environment, the path it
 * runs as and the exit code it leaves. Commands take these from here, never from `process`, so a
 * test can run one in-process with its own (see `runCommand` in test/unit/commands).
 */
export interface CommandIo {
  readonly env: NodeJS.ProcessEnv
  /** `process.argv[1]`: what git's credential entries and the shims call back. */
  readonly executable: string
  readonly stderr: NodeJS.WritableStream & {isTTY?: boolean}
  readonly stdin: NodeJS.ReadableStream & {isTTY?: boolean}
  readonly stdout: NodeJS.WritableStream & {isTTY?: boolean}
  /** The code the process ends with (it is not ended now: what is pending still finishes). */
  setExitCode(code: number): void
}

/**
 * The IO of a real run: this process's. The streams are getters: Node builds process.stdin on first
 * use (~2 ms here), and get-token never reads it.
 */
export function processIo(): CommandIo {
  return {
    env: process.env,
    executable: process.argv[1],
    setExitCode(code) {
      process.exitCode = code
    },
    get stderr() {
      return process.stderr
    },
    get stdin() {
      return process.stdin
    },
    get stdout() {
      return process.stdout
    },
  }
}

// On the Config's load options, which oclif carries over when it reloads a Config it is handed
// (it does, for every run); keyed with Symbol.for because tests import src/ while oclif runs dist/,
// two copies of this module that must agree.
const INJECTED = Symbol.for('entratool.command-io')

type Carrier = {[INJECTED]?: CommandIo}

/** Gives the commands run with this oclif Config another IO than the process's; undefined takes it back. */
export function injectIo(config: Config, io: CommandIo | undefined): void {
  const options = config.options as Carrier
  if (io === undefined) delete options[INJECTED]
  else options[INJECTED] = io
}

export function ioOf(config: Config): CommandIo {
  return (config.options as Carrier | undefined)?.[INJECTED] ?? processIo()
}
