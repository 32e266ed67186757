import type {Clock} from 'entratool'
import {createHash, randomBytes, timingSafeEqual} from 'node:crypto'
import type {IncomingMessage, Server, ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'

import {bindLoopback, type PortRequest} from './loopback-binding.js'
import * as pages from './pages.js'

/** How the wait for the browser ended. Only `code` lets the flow exchange anything. */
export type CallbackOutcome =
  | {code: string; type: 'code'}
  | {description?: string; error: string; type: 'idp-error'}
  | {type: 'aborted'}
  | {type: 'state-mismatch'}
  | {type: 'timeout'}

export type ExchangeResult = {message: string; ok: false} | {ok: true}

export interface LoopbackServerOptions {
  /** The `state` sent in the authorization request; a callback must echo it exactly. */
  state: string
  port: PortRequest
  clock: Clock
  /** How long close() lets the browser fetch the final page after the code arrived. */
  doneGraceMs?: number
  /**
   * A callback whose state does not match was answered with an error page and ignored: the wait
   * goes on, so one forged request cannot end the sign-in (a page can send it blind).
   */
  onForgedCallback?: () => void
}

export interface LoopbackServer {
  readonly port: number
  /** `http://localhost:<port>/`: what a `http://localhost` public-client registration matches. */
  readonly redirectUri: string
  addresses(): AddressInfo[]
  /**
   * A one-time, unguessable `http://localhost:<port>/<nonce>` that redirects (302) to `target`:
   * what the browser is started with, so `state` and `code_challenge` never appear on a command
   * line other local users can read in /proc.
   */
  launchUrl(target: string): string
  /**
   * Aborted once a browser has demonstrably reached this server: it loaded a launch address or
   * brought a callback with this sign-in's state. The browser opened, whatever its command does.
   */
  readonly reached: AbortSignal
  waitForCallback(options: {signal: AbortSignal; timeoutMs: number}): Promise<CallbackOutcome>
  /** What `/done` shows: the browser is redirected there once the code has arrived. */
  finish(result: ExchangeResult): void
  close(): Promise<void>
}

const SECURITY_HEADERS = {
  'Cache-Control': 'no-store',
  // Every response closes its connection so that close() leaves no keep-alive socket behind.
  Connection: 'close',
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'",
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
}

export async function startLoopbackServer(options: LoopbackServerOptions): Promise<LoopbackServer> {
  const server = new CallbackServer(options)
  const binding = await bindLoopback(options.port, (request, response) => {
    void server.handle(request, response)
  })
  server.attach(binding.port, binding.servers)
  return server
}

class CallbackServer implements LoopbackServer {
  port = 0
  redirectUri = ''
  private arrival = new AbortController()
  readonly reached = this.arrival.signal
  private allowedHosts = new Set<string>()
  private launches = new Map<string, string>()
  private closing?: Promise<void>
  private codeReceived = false
  private doneServed = deferred<void>()
  private exchange = deferred<ExchangeResult>()
  private exchangeSettled = false
  private outcome = deferred<CallbackOutcome>()
  private servers: Server[] = []
  private settled = false

  constructor(private readonly options: LoopbackServerOptions) {}

  addresses(): AddressInfo[] {
    return this.servers.map((server) => server.address() as AddressInfo)
  }

  attach(port: number, servers: Server[]): void {
    this.port = port
    this.servers = servers
    this.redirectUri = `http://localhost:${port}/`
    // Anything else in Host means a page on another origin resolved its name to 127.0.0.1
    // (DNS rebinding) and is trying to talk to us.
    this.allowedHosts = new Set([`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`])
  }

  close(): Promise<void> {
    this.closing ??= this.shutDown()
    return this.closing
  }

  launchUrl(target: string): string {
    const nonce = randomBytes(32).toString('base64url')
    this.launches.set(`/${nonce}`, target)
    return `http://localhost:${this.port}/${nonce}`
  }

  finish(result: ExchangeResult): void {
    if (this.exchangeSettled) return
    this.exchangeSettled = true
    this.exchange.resolve(result)
  }

  async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (!this.allowedHosts.has((request.headers.host ?? '').toLowerCase())) return send(response, pages.badHostPage())
    if (request.method !== 'GET') return send(response, pages.methodNotAllowedPage(), {Allow: 'GET'})

    const url = new URL(request.url ?? '/', 'http://localhost')
    if (url.pathname === '/') return this.handleCallback(url.searchParams, response)
    const launch = this.launches.get(url.pathname)
    if (launch) {
      this.launches.delete(url.pathname)
      this.arrival.abort()
      response.writeHead(302, {...SECURITY_HEADERS, Location: launch})
      response.end()
      return
    }

    if (url.pathname === '/done' && this.codeReceived) {
      const result = await this.exchange.promise
      response.once('finish', () => this.doneServed.resolve())
      return send(response, result.ok ? pages.successPage() : pages.exchangeFailedPage(result.message))
    }

    send(response, pages.notFoundPage())
  }

  async waitForCallback({signal, timeoutMs}: {signal: AbortSignal; timeoutMs: number}): Promise<CallbackOutcome> {
    const stopTimer = new AbortController()
    const onAbort = () => this.settle({type: 'aborted'})
    signal.addEventListener('abort', onAbort, {once: true})
    if (signal.aborted) onAbort()
    if (timeoutMs > 0) {
      this.options.clock.sleep(timeoutMs, stopTimer.signal).then(
        () => this.settle({type: 'timeout'}),
        () => {},
      )
    }

    try {
      return await this.outcome.promise
    } finally {
      stopTimer.abort()
      signal.removeEventListener('abort', onAbort)
    }
  }

  private handleCallback(params: URLSearchParams, response: ServerResponse): void {
    if (this.settled) return send(response, pages.alreadyCompletedPage())
    const code = params.get('code')
    const error = params.get('error')
    if (!code && !error) return send(response, pages.notCallbackPage())

    // The state is checked before anything else, error responses included: a forged callback
    // must neither be exchanged nor end the sign-in, so it gets an error page and the wait goes on.
    const states = params.getAll('state')
    if (states.length !== 1 || !sameSecret(states[0], this.options.state)) {
      this.options.onForgedCallback?.()
      return send(response, pages.stateMismatchPage())
    }

    this.arrival.abort()

    if (error) {
      const description = params.get('error_description') ?? undefined
      this.settle({description, error, type: 'idp-error'})
      return send(response, pages.idpErrorPage(error, description))
    }

    this.codeReceived = true
    this.settle({code: code!, type: 'code'})
    // Redirecting drops the code from the address bar and the browser history.
    response.writeHead(302, {...SECURITY_HEADERS, Location: '/done'})
    response.end()
  }

  private settle(outcome: CallbackOutcome): void {
    if (this.settled) return
    this.settled = true
    this.outcome.resolve(outcome)
  }

  private async shutDown(): Promise<void> {
    this.settle({type: 'aborted'})
    this.finish({message: 'The sign-in did not complete.', ok: false})
    if (this.codeReceived) {
      const grace = new AbortController()
      await Promise.race([
        this.doneServed.promise,
        this.options.clock.sleep(this.options.doneGraceMs ?? 3000, grace.signal).catch(() => {}),
      ])
      grace.abort()
    }

    await Promise.all(
      this.servers.map(
        (server) =>
          new Promise<void>((resolve) => {
            server.close(() => resolve())
            server.closeAllConnections()
          }),
      ),
    )
  }
}

function send(response: ServerResponse, page: pages.Page, headers: Record<string, string> = {}): void {
  response.writeHead(page.status, {...SECURITY_HEADERS, 'Content-Type': 'text/html; charset=utf-8', ...headers})
  response.end(page.html)
}

/** Constant-time comparison; hashing first makes lengths equal so nothing leaks through them either. */
function sameSecret(received: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest()
  return timingSafeEqual(digest(received), digest(expected))
}

function deferred<T>(): {promise: Promise<T>; resolve: (value: T) => void} {
  let resolve!: (value: T) => void
  const promise = new Promise<T>((done) => {
    resolve = done
  })
  return {promise, resolve}
}
