import type {INetworkModule, NetworkRequestOptions, NetworkResponse} from '@azure/msal-node'
import {Agent, request} from 'node:https'

/**
 * An MSAL `system.networkClient` that trusts the emulator's CA, without NODE_EXTRA_CA_CERTS
 * (which Node reads only at process start).
 */
export function emulatorNetworkClient(caPem: string): INetworkModule {
  const agent = new Agent({ca: caPem, keepAlive: false})

  function send<T>(method: 'GET' | 'POST', url: string, options?: NetworkRequestOptions, timeout?: number): Promise<NetworkResponse<T>> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = {...options?.headers}
      if (options?.body !== undefined) headers['content-length'] = Buffer.byteLength(options.body)
      const req = request(url, {method, headers, agent, timeout}, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('error', reject)
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8')
          const responseHeaders: Record<string, string> = {}
          for (const [name, value] of Object.entries(res.headers)) {
            if (value !== undefined) responseHeaders[name] = Array.isArray(value) ? value.join(', ') : value
          }
          let body: T
          try {
            body = JSON.parse(text) as T
          } catch {
            reject(new Error(`Failed to parse response (HTTP ${res.statusCode}): ${text.slice(0, 200)}`))
            return
          }
          resolve({status: res.statusCode ?? 0, headers: responseHeaders, body})
        })
      })
      req.on('error', reject)
      req.on('timeout', () => req.destroy(new Error(`request to ${url} timed out`)))
      req.end(options?.body)
    })
  }

  return {
    sendGetRequestAsync: (url, options, timeout) => send('GET', url, options, timeout),
    sendPostRequestAsync: (url, options) => send('POST', url, options),
  }
}
