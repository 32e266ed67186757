import type {INetworkModule, NetworkRequestOptions, NetworkResponse} from '@azure/msal-node'
import {AuthError} from '@azure/msal-node'
import {request as httpRequest} from 'node:http'
import {request as httpsRequest, type Agent} from 'node:https'
import {setTimeout as delay} from 'node:timers/promises'
import {rootCertificates} from 'node:tls'

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
}

const SLOW_DOWN_MS = 5000

const TRUST_CODES = new Set(['CERT_HAS_EXPIRED', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'ERR_TLS_CERT_ALTNAME_INVALID', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'])

/**
 * MSAL's network module over node:https, so a CA bundle and a proxy can be applied (MSAL's own
 * fetch client takes neither). MSAL swallows failures of the metadata request into
 * `endpoints_resolution_error`, so the last transport failure is kept for the error mapper.
 */
export class NetworkClient implements INetworkModule {
  lastFailure?: TransportFailure
  lastStatus?: {status: number; url: string}

  constructor(private readonly options: NetworkClientOptions) {}

  sendGetRequestAsync<T>(url: string, options?: NetworkRequestOptions, timeout?: number): Promise<NetworkResponse<T>> {
    return this.send<T>('GET', url, options, timeout)
  }

  async sendPostRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    // MSAL ends device-code polling on any error but authorization_pending; RFC 8628 says a
    // slow_down means "wait 5 s longer and poll again", so that is done here, below MSAL.
    const devicePoll = /grant_type=(urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3A)?device_code(&|$)/.test(options?.body ?? '')
    for (;;) {
      const response = await this.send<T>('POST', url, options)
      if (!devicePoll || (response.body as {error?: string} | undefined)?.error !== 'slow_down') return response
      await delay(SLOW_DOWN_MS, undefined, {signal: this.options.signal}).catch(() => {})
    }
  }

  private fail(failure: TransportFailure): TransportError {
    this.lastFailure = failure
    return new TransportError(failure)
  }

  private async send<T>(method: 'GET' | 'POST', url: string, options?: NetworkRequestOptions, timeout?: number): Promise<NetworkResponse<T>> {
    const agent = await this.options.proxyFor?.(url)
    const timeoutMs = Math.min(timeout ?? this.options.timeoutMs, this.options.timeoutMs)
    const body = method === 'POST' ? (options?.body ?? '') : undefined
    // Plain http only reaches managed identity endpoints on the host itself; MSAL requires https for authorities.
    const request = url.startsWith('http:') ? httpRequest : httpsRequest
    const {signal} = this.options
    if (signal?.aborted) throw this.fail({detail: 'cancelled', kind: 'unreachable', url})
    return new Promise((resolve, reject) => {
      const req = request(
        url,
        {
          agent,
          ca: this.options.ca ? [...rootCertificates, this.options.ca] : undefined,
          headers: {...options?.headers, ...(body === undefined ? {} : {'content-length': Buffer.byteLength(body)})},
          method,
          timeout: timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = []
          res.on('data', (chunk: Buffer) => chunks.push(chunk))
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
        const trust = TRUST_CODES.has(error.code ?? '')
        reject(this.fail({detail: trust ? `the certificate of ${new URL(url).host} is not trusted (${error.code})` : `cannot reach ${new URL(url).host}: ${error.code ?? error.message}`, kind: trust ? 'trust' : 'unreachable', url}))
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

/** HTTPS_PROXY / NO_PROXY, resolved per URL; the agent module loads only when a proxy is set. */
export async function proxyFromEnv(url: string): Promise<Agent | undefined> {
  const {getProxyForUrl} = await import('proxy-from-env')
  const proxy = getProxyForUrl(url)
  if (!proxy) return undefined
  const {HttpsProxyAgent} = await import('https-proxy-agent')
  return new HttpsProxyAgent(proxy) as unknown as Agent
}
