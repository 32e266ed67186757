import {Agent, request} from 'node:https'

import type {Emulator} from './types.js'

export interface RawResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
  json<T = Record<string, unknown>>(): T
}

export interface RawRequestOptions {
  form?: Record<string, string> | URLSearchParams
  json?: unknown
  headers?: Record<string, string>
}

/**
 * Plain HTTPS to the emulator (trusting its CA), for assertions at the protocol level where a
 * client library would hide status codes, headers or broken bodies. Rejects on transport errors.
 */
export function emulatorRequest(emu: Pick<Emulator, 'url' | 'caPem'>, method: string, pathOrUrl: string, options: RawRequestOptions = {}): Promise<RawResponse> {
  const url = pathOrUrl.startsWith('https://') ? pathOrUrl : `${emu.url}${pathOrUrl}`
  const headers: Record<string, string> = {...options.headers}
  let body: string | undefined
  if (options.form) {
    body = new URLSearchParams(options.form).toString()
    headers['content-type'] = 'application/x-www-form-urlencoded'
  } else if (options.json !== undefined) {
    body = JSON.stringify(options.json)
    headers['content-type'] = 'application/json'
  }
  return new Promise((resolve, reject) => {
    const req = request(url, {method, headers, agent: new Agent({ca: emu.caPem, keepAlive: false})}, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('error', reject)
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8')
        resolve({status: res.statusCode ?? 0, headers: res.headers, text, json: <T>() => JSON.parse(text) as T})
      })
    })
    req.on('error', reject)
    req.end(body)
  })
}
