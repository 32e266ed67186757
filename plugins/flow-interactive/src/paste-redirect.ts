import {createInterface} from 'node:readline'

import type {CallbackOutcome} from './loopback-server.js'

/** What the person pasted, read as the redirect the browser ended on; `garbled` says why it is not one. */
export type PastedOutcome = CallbackOutcome | {reason: string; type: 'garbled'}

/**
 * Reads the address the browser ended on (`http://localhost:PORT/?code=…&state=…`). Also accepts
 * only its query (`?code=…&state=…` or `code=…&state=…`): some terminals cut long lines. The
 * state is checked before anything else, as the loopback server does.
 */
export function readPastedRedirect(text: string, redirectUri: string, expectedState: string, sameSecret: (a: string, b: string) => boolean): PastedOutcome {
  const trimmed = text.trim().replace(/^["'<]|[">']$/g, '')
  if (!trimmed) return {reason: 'nothing was pasted', type: 'garbled'}
  const redirect = new URL(redirectUri)
  let url: URL
  try {
    url = /^[a-z][\w+.-]*:/i.test(trimmed) ? new URL(trimmed) : new URL(trimmed.startsWith('?') ? trimmed : `?${trimmed}`, redirect)
  } catch {
    return {reason: 'that is not an address', type: 'garbled'}
  }

  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname)
  if (url.protocol !== 'http:' || !loopback || url.port !== redirect.port || url.pathname !== redirect.pathname) {
    return {reason: `that is not the address the sign-in redirected to (${redirect.origin}${redirect.pathname}?code=…)`, type: 'garbled'}
  }

  // A fragment answer (response_mode=fragment) is read too, though query is what is asked for.
  const params = url.search ? url.searchParams : new URLSearchParams(url.hash.slice(1))
  const code = params.get('code')
  const error = params.get('error')
  if (!code && !error) return {reason: 'the address holds neither a code nor an error (was it cut off?)', type: 'garbled'}
  const states = params.getAll('state')
  if (states.length !== 1 || !sameSecret(states[0], expectedState)) return {type: 'state-mismatch'}
  if (error) return {description: params.get('error_description') ?? undefined, error, type: 'idp-error'}
  return {code: code!, type: 'code'}
}

export interface LineSource {
  stdin: NodeJS.ReadableStream & {isTTY?: boolean}
  stderr: NodeJS.WritableStream
}

/**
 * One line from the terminal (a prompt on stderr), or the first non-empty line of stdin when it
 * is not a terminal (scripts, tests). Undefined on end of input; rejects when `signal` aborts.
 */
export function readLine(prompt: string, source: LineSource, signal: AbortSignal): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const rl = createInterface({input: source.stdin, output: source.stdin.isTTY ? source.stderr : undefined, terminal: Boolean(source.stdin.isTTY)})
    let done = false
    const finish = (value: string | undefined, error?: unknown) => {
      if (done) return
      done = true
      signal.removeEventListener('abort', onAbort)
      rl.close()
      if (error === undefined) resolve(value)
      else reject(error)
    }

    const onAbort = () => finish(undefined, signal.reason ?? new Error('aborted'))
    if (signal.aborted) return onAbort()
    signal.addEventListener('abort', onAbort, {once: true})
    // Ctrl+C at the prompt: readline holds the terminal in raw mode, so pass it on as the signal.
    rl.on('SIGINT', () => {
      finish(undefined, new Error('interrupted'))
      process.kill(process.pid, 'SIGINT')
    })
    rl.on('line', (line) => {
      if (line.trim() || source.stdin.isTTY) finish(line)
    })
    rl.on('close', () => finish(undefined))
    if (source.stdin.isTTY) source.stderr.write(prompt)
  })
}
