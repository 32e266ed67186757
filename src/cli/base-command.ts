import {Command, Flags, type Interfaces} from '@oclif/core'

import {EntraToolError, EXIT_CODES, isEntraToolError} from '../errors.js'
import {closest} from '../lib/closest.js'
import {Ui} from '../ui/ui.js'
import {type CommandIo, ioOf} from './io.js'
import {renderView, type View} from './render.js'

/** How long a second chance Ctrl+C gets before the process ends without cleaning up. */
const FORCED_EXIT_MS = 3000

/**
 * Common to every entratool command: its IO (streams, environment, exit code: see io.ts), --debug,
 * the stderr UI, the one way a payload reaches stdout, Ctrl+C as an abort signal, and the one place
 * errors become a plain sentence, a next step and an exit code.
 */
export abstract class BaseCommand extends Command {
  static override baseFlags = {
    debug: Flags.boolean({description: 'Show debug output on stderr (never secrets).', helpGroup: 'GLOBAL'}),
  }

  protected readonly abort = new AbortController()
  protected readonly io: CommandIo = ioOf(this.config)
  private debugEnabled = false
  /** What init() attached to the process and the streams, taken off again in finally(). */
  private readonly detach: (() => void)[] = []
  private uiInstance?: Ui

  protected get ui(): Ui {
    this.uiInstance ??= this.newUi(false)
    return this.uiInstance
  }

  /** Prompts need a person at a terminal: stdin to answer on and stderr to ask on. */
  protected get canPrompt(): boolean {
    return Boolean(this.io.stdin.isTTY && this.io.stderr.isTTY)
  }

  protected configureUi(options: {silent?: boolean}): Ui {
    this.uiInstance = this.newUi(Boolean(options.silent))
    return this.uiInstance
  }

  /** The one way a command's payload reaches stdout. */
  protected async render(view: View): Promise<void> {
    this.io.stdout.write(await renderView(view))
  }

  protected override async catch(error: Interfaces.CommandError): Promise<void> {
    this.io.setExitCode(this.report(error))
  }

  override async init(): Promise<void> {
    this.debugEnabled = this.argv.includes('--debug') || Boolean(this.io.env.ENTRATOOL_DEBUG)
    await super.init()
    // A reader that went away (`… 2>&1 | head -1`) must not turn the command's exit code into 1.
    // The listener stays after the command ends: the error report written in catch() fails with
    // EPIPE only later, asynchronously. One listener per stream, however many commands run.
    for (const stream of [this.io.stdout, this.io.stderr]) ignoreEpipe(stream)

    const forced = () => process.exit(EXIT_CODES.interrupted)
    const interrupted = () => {
      this.abort.abort()
      setTimeout(forced, FORCED_EXIT_MS).unref()
      process.once('SIGINT', forced)
    }

    process.once('SIGINT', interrupted)
    this.detach.push(() => process.off('SIGINT', interrupted).off('SIGINT', forced))
  }

  /** Calls `handler` on every `signal` the process gets until the command ends. */
  protected onSignal(signal: NodeJS.Signals, handler: () => void): void {
    process.on(signal, handler)
    this.detach.push(() => process.off(signal, handler))
  }

  override async finally(error: Error | undefined): Promise<void> {
    for (const undo of this.detach.splice(0)) undo()
    await super.finally(error)
  }

  private newUi(silent: boolean): Ui {
    return new Ui({debug: this.debugEnabled, env: this.io.env, silent, stream: this.io.stderr})
  }

  private report(error: Interfaces.CommandError): number {
    const ui = this.ui
    if (isEntraToolError(error)) {
      const code = error.code ? ` [${error.code}${error.correlationId ? `, correlation id ${error.correlationId}` : ''}]` : ''
      ui.error(`Error: ${error.message}${code}`)
      if (error.next) ui.instruct(`→ ${error.next}`)
      if (this.debugEnabled && error.cause instanceof Error) ui.debug(error.cause.stack ?? String(error.cause))
      return (error as EntraToolError).exitCode
    }

    // oclif's own parse errors (unknown flag, bad option, missing value, a flag parser's refusal).
    const exit = (error as {oclif?: {exit?: number}}).oclif?.exit
    if (exit !== undefined && exit !== 1) {
      ui.error(`Error: ${this.unknownFlagSentence(error) ?? parseErrorSentence(error.message)}`)
      ui.instruct(`→ see \`${this.config.bin} ${this.id ?? ''} --help\``)
      return exit
    }

    // Ctrl+C at an @inquirer prompt.
    if (error.name === 'ExitPromptError') {
      ui.error('Cancelled.')
      return EXIT_CODES.interrupted
    }

    ui.error(`Error: unexpected failure: ${error.message}`)
    ui.instruct(this.debugEnabled ? (error.stack ?? '') : '→ this is a bug in entratool; run again with --debug and report what it prints')
    return EXIT_CODES.internal
  }

  /** "unknown flag --profle. Did you mean --profile?", from oclif's NonExistentFlagsError. */
  private unknownFlagSentence(error: Interfaces.CommandError): string | undefined {
    const unknown = (error as {flags?: unknown}).flags
    if (!Array.isArray(unknown) || unknown.length === 0) return undefined
    const typed = unknown.map((f) => String(f).replace(/=.*$/s, ''))
    const sentence = `unknown flag${typed.length === 1 ? '' : 's'} ${typed.join(', ')}.`
    const [first] = typed
    if (!first.startsWith('--')) return sentence
    const flags = Object.entries({...this.ctor.baseFlags, ...this.ctor.flags}).filter(([, f]) => !f.hidden)
    const suggestion = closest(first.slice(2), flags.flatMap(([name, f]) => [name, ...(f.aliases ?? [])]))
    return suggestion ? `${sentence} Did you mean --${suggestion}?` : sentence
  }
}

/**
 * oclif's parse messages → one sentence: "Parsing --port \n\tport '0' is invalid…\nSee more help
 * with --help" → "--port: port '0' is invalid…"; "The following error occurred:\n  X" → "X".
 */
function parseErrorSentence(message: string): string {
  const parsing = /^Parsing (--[\w-]+)\s*\n\t([^\n]*)/.exec(message)
  if (parsing) return `${parsing[1]}: ${parsing[2]}`
  const lines = message
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !/^See more help with --help$/.test(line) && !/^The following errors? occurred:$/.test(line))
  return lines.join('; ') || message
}

const epipeIgnored = new WeakSet<NodeJS.EventEmitter>()

function ignoreEpipe(stream: NodeJS.EventEmitter): void {
  if (epipeIgnored.has(stream)) return
  epipeIgnored.add(stream)
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error
  })
}
