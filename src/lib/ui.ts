import type {FlowUi} from '../flows/contract.js'

export interface UiOptions {
  silent: boolean
  debug: boolean
  stream?: NodeJS.WritableStream & {isTTY?: boolean}
  env?: NodeJS.ProcessEnv
}

/**
 * Escapes C0 and C1 control characters (ESC, BEL, CR, CSI…) as \u001b-style text, keeping line
 * breaks and tabs: text from outside (an IdP's error_description, a callback's error, a token's
 * claims, an imported profile) can otherwise retitle the terminal, clear it or forge lines.
 */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replaceAll(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

type Colour = 'cyan' | 'dim' | 'green' | 'red' | 'yellow'
const SGR: Record<Colour, [number, number]> = {cyan: [36, 39], dim: [2, 22], green: [32, 39], red: [31, 39], yellow: [33, 39]}

/** Status output on stderr: stdout carries only the payload, so `TOKEN=$(entratool get-token)` works. */
export class Ui implements FlowUi {
  private readonly colour: boolean
  private readonly options: UiOptions
  private readonly stream: NodeJS.WritableStream

  constructor(options: UiOptions) {
    this.options = options
    this.stream = options.stream ?? process.stderr
    const env = options.env ?? process.env
    this.colour = Boolean((this.stream as {isTTY?: boolean}).isTTY) && env.NO_COLOR === undefined && env.TERM !== 'dumb'
  }

  get debugging(): boolean {
    return this.options.debug
  }

  debug(line: string): void {
    if (this.options.debug) this.write(this.paint('dim', `[debug] ${line}`))
  }

  /** Error lines are shown even with --silent: a script's log needs the reason. */
  error(line: string): void {
    this.write(this.paint('red', line))
  }

  instruct(line: string): void {
    this.write(printable(line))
  }

  status(line: string): void {
    if (!this.options.silent) this.write(printable(line))
  }

  success(line: string): void {
    if (!this.options.silent) this.write(`${this.paint('green', '✓')} ${printable(line)}`)
  }

  waiting(line: string): void {
    if (!this.options.silent) this.write(`⏳ ${printable(line)}`)
  }

  refreshing(line: string): void {
    if (!this.options.silent) this.write(`${this.paint('cyan', '⟳')} ${printable(line)}`)
  }

  warn(line: string): void {
    this.write(this.paint('yellow', `Warning: ${line}`))
  }

  private paint(colour: Colour, text: string): string {
    text = printable(text)
    if (!this.colour) return text
    const [open, close] = SGR[colour]
    return `\u001B[${open}m${text}\u001B[${close}m`
  }

  private write(line: string): void {
    this.stream.write(`${line}\n`)
  }
}
