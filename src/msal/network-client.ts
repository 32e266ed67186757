import type {INetworkModule, NetworkRequestOptions, NetworkResponse} from '@azure/msal-node'
import {AuthError} from '@azure/msal-node'
import {request as httpRequest} from 'node:http'
import {Agent, request as httpsRequest} from 'node:https'
import {setTimeout as delay} from 'node:timers/promises'
import {createSecureContext, rootCertificates, type SecureContext} from 'node:tls'

import type {AuthorityError} from '../flows/contract.js'
import {parseAuthorityError} from './oauth-error.js'

export type TransportFailureKind = 'malformed' | 'timeout' | 'trust' | 'unreachable'

export interface TransportFailure {
  kind: TransportFailureKind
  url: string
  detail: string
}

/** Thrown into MSAL as an AuthError so it passes through MSAL's error wrapping unchanged. */
export class TransportError extends AuthError {
  constructor(readonly failure: TransportFailure) {
    super('network_error', failure.detail)
    // AuthError's constructor resets the prototype to its own, which would hide this subclass.
    Object.setPrototypeOf(this, TransportError.prototype)
    this.name = 'TransportError'
  }
}

/**
 * The last OAuth error answer (RFC 6749 §5.2) the authority sent, kept because MSAL drops its body
 * on some paths: device-code polling keeps only `error`, and a metadata failure only the status.
 */
export interface ServerErrorAnswer extends AuthorityError {
  url: string
  status: number
  /** The answer to a device-code poll (the token endpoint with grant_type device_code). */
  devicePoll: boolean
}

export interface NetworkClientOptions {
  /** Extra trusted CA certificates (PEM), added to Node's roots. */
  ca?: string
  /** Ctrl+C: requests in flight are torn down at once instead of waiting for their timeout. */
  signal?: AbortSignal
  /** Sees every successful GET answer (the factory keeps the authority's metadata from it). */
  onGet?: (url: string, body: unknown) => void
  /** The proxy to use for a URL, or undefined for a direct connection (HTTPS_PROXY / NO_PROXY). */
  proxyFor?: (url: string) => Promise<Agent | undefined>
  timeoutMs: number
  /** Waits between device-code polls after a slow_down; tests pass a fake. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>
}

/** RFC 8628 §3.5: each slow_down adds 5 s to the polling interval, for every later poll. */
const SLOW_DOWN_MS = 5000
const DEVICE_POLL = /grant_type=(urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3A)?device_code(&|$)/

/** No OAuth or metadata answer comes near this; a larger one is refused, not buffered (a hostile server can send gigabytes). */
export const MAX_BODY_BYTES = 4 * 1024 * 1024

const TRUST_CODES = new Set(['CERT_HAS_EXPIRED', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'ERR_TLS_CERT_ALTNAME_INVALID', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'])

/**
 * MSAL's network module over node:https, so a CA bundle and a proxy can be applied (MSAL's own
 * fetch client takes neither). MSAL swallows failures of the metadata request into
 * `endpoints_resolution_error`, so the last transport failure is kept for the error mapper.
 */
export class NetworkClient implements INetworkModule {
  lastFailure?: TransportFailure
  lastStatus?: {status: number; url: string}
  lastServerError?: ServerErrorAnswer
  /** The server's polling interval from the last device code answer, in ms. */
  private deviceIntervalMs = 5000
  /** What slow_down answers added to the interval so far (RFC 8628 §3.5). */
  private slowDownMs = 0
  private readonly proxies = new Map<string, Promise<Agent | undefined>>()

  constructor(private readonly options: NetworkClientOptions) {}

  /** The current device-code polling interval in ms: the server's, plus 5 s per slow_down. */
  get pollIntervalMs(): number {
    return this.deviceIntervalMs + this.slowDownMs
  }

  sendGetRequestAsync<T>(url: string, options?: NetworkRequestOptions, timeout?: number): Promise<NetworkResponse<T>> {
    return this.send<T>('GET', url, options, timeout)
  }

  async sendPostRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    // MSAL ends device-code polling on any error but authorization_pending and always sleeps the
    // first interval it read. RFC 8628 says slow_down means "add 5 s to the interval for this and
    // every later poll", so that is done here, below MSAL: the extra wait before each later poll.
    const devicePoll = DEVICE_POLL.test(options?.body ?? '')
    const tokenRequest = /(^|&)grant_type=/.test(options?.body ?? '')
    if (devicePoll && this.slowDownMs > 0) await this.wait(this.slowDownMs)
    for (;;) {
      const response = await this.send<T>('POST', url, options, undefined, devicePoll)
      if (tokenRequest) this.checkTokenResponse(url, response)
      if (!devicePoll) {
        const interval = (response.body as {interval?: unknown} | undefined)?.interval
        if (response.status === 200 && typeof interval === 'number' && Number.isFinite(interval) && interval >= 0) {
          this.deviceIntervalMs = interval * 1000
          this.slowDownMs = 0
        }

        return response
      }

      if ((response.body as {error?: string} | undefined)?.error !== 'slow_down') return response
      this.slowDownMs += SLOW_DOWN_MS
      await this.wait(this.pollIntervalMs)
    }
  }

  private async wait(ms: number): Promise<void> {
    const sleep = this.options.sleep ?? ((time: number, signal?: AbortSignal) => delay(time, undefined, {signal}))
    await sleep(ms, this.options.signal).catch(() => {})
  }

  private keepServerError(url: string, status: number, body: unknown, devicePoll: boolean): void {
    const answer = parseAuthorityError(body)
    // authorization_pending and slow_down are the normal rhythm of polling, not a reason to keep.
    if (!answer || ['authorization_pending', 'slow_down'].includes(answer.error)) return
    this.lastServerError = {...answer, devicePoll, status, url}
  }

  /**
   * RFC 6749 §5.1: a successful token response carries access_token (a string) and token_type.
   * A 200 without them is malformed, not a token: it must never be printed or cached.
   */
  private checkTokenResponse(url: string, response: NetworkResponse<unknown>): void {
    if (response.status !== 200) return
    const body = response.body as {access_token?: unknown; token_type?: unknown} | null
    const object = typeof body === 'object' && body !== null && !Array.isArray(body)
    const problem = !object
      ? 'is not a JSON object'
      : typeof body.access_token !== 'string' || body.access_token === ''
        ? 'has no access_token'
        : typeof body.token_type !== 'string' || body.token_type === ''
          ? 'has no token_type'
          : undefined
    if (problem) throw this.fail({detail: `${url} answered HTTP 200 with a body that is not a valid token response: it ${problem} (RFC 6749 §5.1)`, kind: 'malformed', url})
  }

  /** One proxy agent per origin for this client's life, so a call's requests share its tunnel. */
  private proxyFor(url: string): Promise<Agent | undefined> | undefined {
    const {proxyFor} = this.options
    if (!proxyFor) return undefined
    const {origin} = new URL(url)
    let agent = this.proxies.get(origin)
    if (!agent) {
      agent = proxyFor(url)
      // A failure is not kept: the next request asks again.
      agent.catch(() => this.proxies.delete(origin))
      this.proxies.set(origin, agent)
    }

    return agent
  }

  private fail(failure: TransportFailure): TransportError {
    this.lastFailure = failure
    return new TransportError(failure)
  }

  private async send<T>(method: 'GET' | 'POST', url: string, options?: NetworkRequestOptions, timeout?: number, devicePoll = false): Promise<NetworkResponse<T>> {
    const agent = await this.proxyFor(url)
    const timeoutMs = Math.min(timeout ?? this.options.timeoutMs, this.options.timeoutMs)
    const body = method === 'POST' ? (options?.body ?? '') : undefined
    // Plain http only reaches managed identity endpoints on the host itself; MSAL requires https for authorities.
    const plain = url.startsWith('http:')
    const request = plain ? httpRequest : httpsRequest
    const trust = !plain && this.options.ca ? trusting(this.options.ca) : undefined
    const {signal} = this.options
    if (signal?.aborted) throw this.fail({detail: 'cancelled', kind: 'unreachable', url})
    return new Promise((resolve, reject) => {
      const req = request(
        url,
        {
          agent: agent ?? trust?.agent,
          ...(trust ? {secureContext: trust.secureContext} : {}),
          headers: {...options?.headers, ...(body === undefined ? {} : {'content-length': Buffer.byteLength(body)})},
          method,
          timeout: timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = []
          let size = 0
          res.on('data', (chunk: Buffer) => {
            size += chunk.length
            if (size > MAX_BODY_BYTES) {
              // Stop reading at once; the teardown's own events must not replace this failure.
              res.removeAllListeners('aborted').removeAllListeners('error').removeAllListeners('end').on('error', () => {})
              req.destroy()
              reject(this.fail({detail: `${url} answered with a body larger than ${MAX_BODY_BYTES / 1024 / 1024} MB; no OAuth answer is that large`, kind: 'malformed', url}))
              return
            }

            chunks.push(chunk)
          })
          res.on('error', (error) => reject(this.fail({detail: `the connection to ${url} broke: ${error.message}`, kind: 'unreachable', url})))
          res.on('aborted', () => reject(this.fail({detail: `the connection to ${url} was dropped mid-answer`, kind: 'unreachable', url})))
          res.on('end', () => {
            if (!res.complete) return reject(this.fail({detail: `the connection to ${url} was dropped mid-answer`, kind: 'unreachable', url}))
            this.lastStatus = {status: res.statusCode ?? 0, url}
            const headers: Record<string, string> = {}
            for (const [key, value] of Object.entries(res.headers)) if (value !== undefined) headers[key] = String(value)
            try {
              const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as T
              if (method === 'GET' && res.statusCode === 200) this.options.onGet?.(url, parsed)
              this.keepServerError(url, res.statusCode ?? 0, parsed, devicePoll)
              resolve({body: parsed, headers, status: res.statusCode ?? 0})
            } catch {
              reject(this.fail({detail: `${url} answered HTTP ${res.statusCode} with a body that is not JSON`, kind: 'malformed', url}))
            }
          })
        },
      )
      req.on('timeout', () => {
        req.destroy()
        reject(this.fail({detail: `${url} did not answer within ${Math.round(timeoutMs / 1000)} s`, kind: 'timeout', url}))
      })
      req.on('error', (error: NodeJS.ErrnoException) => {
        const untrusted = TRUST_CODES.has(error.code ?? '')
        reject(this.fail({detail: untrusted ? `the certificate of ${new URL(url).host} is not trusted (${error.code})` : `cannot reach ${new URL(url).host}: ${error.code ?? error.message}`, kind: untrusted ? 'trust' : 'unreachable', url}))
      })
      const abort = () => {
        req.destroy()
        reject(this.fail({detail: 'cancelled', kind: 'unreachable', url}))
      }

      signal?.addEventListener('abort', abort, {once: true})
      req.on('close', () => signal?.removeEventListener('abort', abort))
      req.end(body)
    })
  }
}

const trusts = new Map<string, {agent: Agent; secureContext: SecureContext}>()

/**
 * Node's roots plus the extra CA (ENTRATOOL_CA_FILE or a profile's ca_file: the emulator, a
 * corporate proxy), made once per process and CA. Passing `ca: [...rootCertificates, pem]`
 * instead makes Node parse ~140 root PEMs in JS for every request (~25-30 ms each time on a small
 * machine, more than the request itself). addCACert adds to a context already holding Node's
 * default store (into its own copy: other contexts are untouched); it is undocumented but has
 * been there since Node 0.x and tools such as syswide-cas rely on it, and when it is missing the
 * documented `ca` option builds the same trust.
 *
 * Each CA has its own keep-alive Agent: an Agent's pool key (getName) ignores `secureContext`, so
 * in a shared pool a socket verified under one trust could serve a request made under another (two
 * profiles with different CA files in one serve-identity). Like Node's global agent it keeps
 * sockets alive (both requests of a cold call share one TLS connection) and unrefs idle ones, so
 * they never keep a process alive. A proxy agent (https-proxy-agent) passes `secureContext` on to
 * its tls.connect to the authority, so the CA is honoured through a proxy too.
 */
export function trusting(ca: string): {agent: Agent; secureContext: SecureContext} {
  let trust = trusts.get(ca)
  if (trust) return trust
  let secureContext = createSecureContext()
  const native = secureContext.context as {addCACert?: (pem: string) => void}
  if (typeof native.addCACert === 'function') native.addCACert(ca)
  else secureContext = createSecureContext({ca: [...rootCertificates, ca]})
  trust = {agent: new Agent({keepAlive: true, scheduling: 'lifo', timeout: 5000}), secureContext}
  trusts.set(ca, trust)
  return trust
}

/** HTTPS_PROXY / NO_PROXY, resolved per URL; the agent module loads only when a proxy is set. */
export async function proxyFromEnv(url: string): Promise<Agent | undefined> {
  const {getProxyForUrl} = await import('proxy-from-env')
  const proxy = getProxyForUrl(url)
  if (!proxy) return undefined
  const {HttpsProxyAgent} = await import('https-proxy-agent')
  // Kept alive as Node's own agents are: a call's requests share one tunnel (NetworkClient keeps the agent).
  return new HttpsProxyAgent(proxy, {keepAlive: true, scheduling: 'lifo', timeout: 5000}) as unknown as Agent
}
