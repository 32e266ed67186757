import {Command, Flags, type Interfaces} from '@oclif/core'

import {EntraToolError, EXIT_CODES, isEntraToolError} from '../errors.js'
import {closest} from '../lib/closest.js'
import {Ui} from '../ui/ui.js'

/** How long a second chance Ctrl+C gets before the process ends without cleaning up. */
const FORCED_EXIT_MS = 3000

/**
 * Common to every entratool command: --debug, the stderr UI, Ctrl+C as an abort signal, and the
 * one place errors become a plain sentence, a next step and an exit code.
 */
export abstract class BaseCommand extends Command {
  static baseFlags = {
    debug: Flags.boolean({description: 'Show debug output on stderr (never secrets).', helpGroup: 'GLOBAL'}),
  }

  protected readonly abort = new AbortController()
  private debugEnabled = false
  private uiInstance?: Ui

  protected get ui(): Ui {
    this.uiInstance ??= new Ui({debug: this.debugEnabled, silent: false})
    return this.uiInstance
  }

  protected configureUi(options: {silent?: boolean}): Ui {
    this.uiInstance = new Ui({debug: this.debugEnabled, silent: Boolean(options.silent)})
    return this.uiInstance
  }

  protected async catch(error: Interfaces.CommandError): Promise<void> {
    const exitCode = this.report(error)
    process.exitCode = exitCode
  }

  async init(): Promise<void> {
    this.debugEnabled = this.argv.includes('--debug') || Boolean(process.env.ENTRATOOL_DEBUG)
    await super.init()
    // A reader that went away (`… 2>&1 | head -1`) must not turn the command's exit code into 1.
    for (const stream of [process.stdout, process.stderr]) {
      stream.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code !== 'EPIPE') throw error
      })
    }

    process.once('SIGINT', () => {
      this.abort.abort()
      setTimeout(() => process.exit(EXIT_CODES.interrupted), FORCED_EXIT_MS).unref()
      process.once('SIGINT', () => process.exit(EXIT_CODES.interrupted))
    })
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
