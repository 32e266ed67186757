import {type EntraToolError, EXIT_CODES, isEntraToolError} from '../errors.js'
import type {Ui} from '../ui/ui.js'

/** What a report needs besides the error: where to say it, and what the parse-error hint names. */
export interface ReportContext {
  ui: Ui
  debug: boolean
  /** "see `entratool get-token --help`" after a parse error. */
  helpCommand: string
  /** The sentence for oclif's unknown-flag error (with a "Did you mean"), when it is one. */
  unknownFlagSentence?: (error: Error) => string | undefined
}

/**
 * The one place an error becomes a plain sentence, a next step and an exit code: for commands run
 * by oclif (BaseCommand.catch) and for get-token and refresh run without it (token-command.ts).
 */
export function reportError(error: Error, context: ReportContext): number {
  const {debug, ui} = context
  if (isEntraToolError(error)) {
    const code = error.code ? ` [${error.code}${error.correlationId ? `, correlation id ${error.correlationId}` : ''}]` : ''
    ui.error(`Error: ${error.message}${code}`)
    if (error.next) ui.instruct(`→ ${error.next}`)
    if (debug && error.cause instanceof Error) ui.debug(error.cause.stack ?? String(error.cause))
    return (error as EntraToolError).exitCode
  }

  // oclif's own parse errors (unknown flag, bad option, missing value, a flag parser's refusal).
  const exit = (error as {oclif?: {exit?: number}}).oclif?.exit
  if (exit !== undefined && exit !== 1) {
    ui.error(`Error: ${context.unknownFlagSentence?.(error) ?? parseErrorSentence(error.message)}`)
    ui.instruct(`→ see \`${context.helpCommand} --help\``)
    return exit
  }

  // Ctrl+C at an @inquirer prompt.
  if (error.name === 'ExitPromptError') {
    ui.error('Cancelled.')
    return EXIT_CODES.interrupted
  }

  ui.error(`Error: unexpected failure: ${error.message}`)
  ui.instruct(debug ? (error.stack ?? '') : '→ this is a bug in entratool; run again with --debug and report what it prints')
  return EXIT_CODES.internal
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
