import {Config, run} from '@oclif/core'
import {captureOutput} from '@oclif/test'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {Readable, Writable} from 'node:stream'

import {type CommandIo, injectIo} from '../../src/cli/io.js'
import {BIN, ROOT} from './cli.js'

export interface InProcessResult {
  code: number
  stdout: string
  stderr: string
  /** What the command's run() returned. */
  result: unknown
}

export interface InProcessOptions {
  /** The command's whole environment (nothing of the test process's leaks in). */
  env?: Record<string, string | undefined>
  input?: string
}

/**
 * A temp home with oclif's config, data and cache directories in it, and an oclif Config loaded
 * for them, for running commands in-process (the built dist/, as `bin/run.js` runs it).
 */
export class InProcessCli {
  readonly configDir: string
  readonly home: string
  private config?: Config

  constructor() {
    this.home = mkdtempSync(join(tmpdir(), 'entratool-unit-'))
    this.configDir = join(this.home, 'config')
  }

  /** A clean shell's environment in this home: profiles in ENTRATOOL_CONFIG_DIR, no keychain probe. */
  get env(): Record<string, string> {
    return {ENTRATOOL_CONFIG_DIR: this.configDir, ENTRATOOL_STORAGE: 'file', HOME: this.home, LANG: 'C.UTF-8', NO_COLOR: '1', PATH: process.env.PATH ?? '/usr/bin:/bin', TMPDIR: tmpdir()}
  }

  cleanup(): void {
    rmSync(this.home, {force: true, recursive: true})
  }

  /**
   * Runs `entratool <argv>` in this process with its own stdin, stdout, stderr, environment and
   * exit code; process.exitCode and the working directory are as they were afterwards.
   *
   * This is @oclif/test's runCommand (captureOutput around oclif's run) without its one lossy
   * step: runCommand joins the arguments into a string and splits it again, which drops empty
   * arguments and mangles ones holding quotes, and the bad-input table has both.
   */
  async run(argv: string[], options: InProcessOptions = {}): Promise<InProcessResult> {
    const stdout = collector()
    const stderr = collector()
    // Never a terminal (a command must not prompt in a test), and in a pipe's 64 KB chunks.
    const stdin = Readable.from(chunks(Buffer.from(options.input ?? ''), 64 * 1024))
    let code = 0
    const io: CommandIo = {
      env: Object.fromEntries(Object.entries(options.env ?? this.env).filter(([, v]) => v !== undefined)),
      executable: BIN,
      setExitCode: (c) => (code = c),
      stderr: stderr.stream,
      stdin,
      stdout: stdout.stream,
    }
    const {cwd, exitCode} = {cwd: process.cwd(), exitCode: process.exitCode}
    // oclif fixes its config, data and cache directories from the process's environment each time
    // it (re)loads a Config, which it does on every run: point them, and HOME, into the temp home.
    const restoreEnv = setEnv({ENTRATOOL_CACHE_DIR: join(this.home, 'cache'), ENTRATOOL_CONFIG_DIR: this.configDir, ENTRATOOL_DATA_DIR: join(this.home, 'data'), HOME: this.home})
    try {
      const config = await this.loadConfig()
      injectIo(config, io)
      // NODE_ENV=production as in a real run: under "test" oclif adds development-only warnings.
      const captured = await captureOutput(() => run(argv, config), {testNodeEnv: 'production'})
      injectIo(config, undefined)
      if (captured.error) code = (captured.error as {oclif?: {exit?: number}}).oclif?.exit ?? 1
      return {code, result: captured.result, stderr: stderr.text() + captured.stderr, stdout: stdout.text() + captured.stdout}
    } finally {
      restoreEnv()
      process.exitCode = exitCode
      process.chdir(cwd)
    }
  }

  private async loadConfig(): Promise<Config> {
    this.config ??= await Config.load(ROOT)
    return this.config
  }
}

function chunks(data: Buffer, size: number): Buffer[] {
  const out: Buffer[] = []
  for (let i = 0; i < data.length; i += size) out.push(data.subarray(i, i + size))
  return out
}

/** Sets variables of process.env; the function returned puts them back as they were. */
function setEnv(vars: Record<string, string>): () => void {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]))
  Object.assign(process.env, vars)
  return () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k]
      else process.env[k] = v
    }
  }
}

function collector(): {stream: NodeJS.WritableStream; text: () => string} {
  const chunks: Buffer[] = []
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(Buffer.from(chunk))
      callback()
    },
  })
  return {stream, text: () => Buffer.concat(chunks).toString('utf8')}
}
