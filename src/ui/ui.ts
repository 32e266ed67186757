import {setTimeout as delay} from 'node:timers/promises'

import type {Clock, FlowUi} from '../flows/contract.js'
import {localTime} from '../lib/time.js'

export interface UiOptions {
  silent: boolean
  debug: boolean
  stream?: NodeJS.WritableStream & {isTTY?: boolean}
  env?: NodeJS.ProcessEnv
  /** For countdowns; tests pass a fake one so no test waits 30 real seconds. */
  clock?: Clock
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

/** Without a terminal a countdown prints a line this often (a log gets a line, not a flood). */
export const COUNTDOWN_LOG_EVERY_MS = 30_000

const realClock: Clock = {now: () => Date.now(), sleep: (ms, signal) => delay(ms, undefined, {signal})}

type Colour = 'cyan' | 'dim' | 'green' | 'red' | 'yellow'
const SGR: Record<Colour, [number, number]> = {cyan: [36, 39], dim: [2, 22], green: [32, 39], red: [31, 39], yellow: [33, 39]}

/** Status output on stderr: stdout carries only the payload, so `TOKEN=$(entratool get-token)` works. */
export class Ui implements FlowUi {
  private readonly colour: boolean
  /** Width of the line a countdown keeps rewriting on a terminal; 0 when none is showing. */
  private live = 0
  private readonly warnedTopics = new Set<string>()
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

  /** One warning per topic and run, however many places meet the same problem (a profile's damaged cache files). */
  warnOnce(topic: string, line: string): void {
    if (this.warnedTopics.has(topic)) return
    this.warnedTopics.add(topic)
    this.warn(line)
  }

  localTime(date: Date): string {
    return localTime(date)
  }

  /**
   * "⏳ <text(time left)>" until `until` (epoch ms) or until the returned stop() is called. On a
   * terminal one line is rewritten in place every second (with \r and spaces: no escape codes);
   * otherwise a line is printed now and every 30 s. Nothing with --silent.
   */
  countdown(until: number, text: (left: string, at: string) => string): () => void {
    if (this.options.silent) return () => {}
    const clock = this.options.clock ?? realClock
    const tty = Boolean((this.stream as {isTTY?: boolean}).isTTY)
    const stop = new AbortController()
    const at = localTime(new Date(until))
    const tick = async () => {
      while (!stop.signal.aborted) {
        const left = until - clock.now()
        if (left <= 0) break
        const line = `⏳ ${printable(text(formatLeft(left), at))}`
        if (tty) this.rewrite(line)
        else this.write(line)
        // On a terminal, wake as the shown second changes; in a log, every 30 s.
        const step = tty ? left % 1000 || 1000 : COUNTDOWN_LOG_EVERY_MS
        await clock.sleep(Math.min(step, left), stop.signal).catch(() => {})
      }

      this.endLive()
    }

    void tick()
    return () => {
      stop.abort()
      this.endLive()
    }
  }

  private paint(colour: Colour, text: string): string {
    text = printable(text)
    if (!this.colour) return text
    const [open, close] = SGR[colour]
    return `\u001B[${open}m${text}\u001B[${close}m`
  }

  private write(line: string): void {
    this.endLive()
    this.stream.write(`${line}\n`)
  }

  /** A terminal line rewritten in place; a shorter one is padded so no old characters remain. */
  private rewrite(line: string): void {
    const width = [...line].length
    this.stream.write(`\r${line}${' '.repeat(Math.max(0, this.live - width))}`)
    this.live = width
  }

  /** Blanks the countdown's line, so the next line starts clean at the left margin. */
  private endLive(): void {
    if (this.live === 0) return
    this.stream.write(`\r${' '.repeat(this.live)}\r`)
    this.live = 0
  }
}

/** 14:59 (or 1:02:03 past an hour): what a person reads at a glance. */
export function formatLeft(ms: number): string {
  const total = Math.ceil(ms / 1000)
  const h = Math.floor(total / 3600)
  const m = Math.floor((total % 3600) / 60)
  const s = String(total % 60).padStart(2, '0')
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`
}
