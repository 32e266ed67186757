import type {FlowUi} from '../flows/contract.js'

export interface UiOptions {
  silent: boolean
  debug: boolean
  stream?: NodeJS.WritableStream & {isTTY?: boolean}
  env?: NodeJS.ProcessEnv
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
    this.write(line)
  }

  status(line: string): void {
    if (!this.options.silent) this.write(line)
  }

  success(line: string): void {
    if (!this.options.silent) this.write(`${this.paint('green', '✓')} ${line}`)
  }

  waiting(line: string): void {
    if (!this.options.silent) this.write(`⏳ ${line}`)
  }

  refreshing(line: string): void {
    if (!this.options.silent) this.write(`${this.paint('cyan', '⟳')} ${line}`)
  }

  warn(line: string): void {
    this.write(this.paint('yellow', `Warning: ${line}`))
  }

  private paint(colour: Colour, text: string): string {
    if (!this.colour) return text
    const [open, close] = SGR[colour]
    return `\u001B[${open}m${text}\u001B[${close}m`
  }

  private write(line: string): void {
    this.stream.write(`${line}\n`)
  }
}
