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
    const config = await this.loadConfig()
    const stdout = collector()
    const stderr = collector()
    // Never a terminal: a command must not prompt in a test.
    const stdin = Readable.from(options.input === undefined ? [] : [Buffer.from(options.input)])
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
    injectIo(config, io)
    try {
      // NODE_ENV=production as in a real run: under "test" oclif adds development-only warnings.
      const captured = await captureOutput(() => run(argv, config), {testNodeEnv: 'production'})
      if (captured.error) code = (captured.error as {oclif?: {exit?: number}}).oclif?.exit ?? 1
      return {code, result: captured.result, stderr: stderr.text() + captured.stderr, stdout: stdout.text() + captured.stdout}
    } finally {
      injectIo(config, undefined)
      process.exitCode = exitCode
      process.chdir(cwd)
    }
  }

  private async loadConfig(): Promise<Config> {
    if (this.config) return this.config
    // oclif fixes its directories when the Config loads: point them into the temp home.
    const scoped = {ENTRATOOL_CACHE_DIR: join(this.home, 'cache'), ENTRATOOL_CONFIG_DIR: this.configDir, ENTRATOOL_DATA_DIR: join(this.home, 'data')}
    const saved = Object.fromEntries(Object.keys(scoped).map((k) => [k, process.env[k]]))
    Object.assign(process.env, scoped)
    try {
      this.config = await Config.load(ROOT)
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k]
        else process.env[k] = v
      }
    }

    return this.config
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
