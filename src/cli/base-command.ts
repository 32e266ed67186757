import {Command, Flags, type Interfaces} from '@oclif/core'

import {closest} from '../lib/closest.js'
import {Ui} from '../ui/ui.js'
import {type CommandIo, ioOf} from './io.js'
import {ignoreEpipe, interruptOnSigint} from './process-guards.js'
import {renderView, type View} from './render.js'
import {reportError} from './report-error.js'

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
    for (const stream of [this.io.stdout, this.io.stderr]) ignoreEpipe(stream)
    this.detach.push(interruptOnSigint(this.abort))
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
    return reportError(error, {
      debug: this.debugEnabled,
      helpCommand: `${this.config.bin} ${this.id ?? ''}`,
      ui: this.ui,
      unknownFlagSentence: (e) => this.unknownFlagSentence(e),
    })
  }

  /** "unknown flag --profle. Did you mean --profile?", from oclif's NonExistentFlagsError. */
  private unknownFlagSentence(error: Error): string | undefined {
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
