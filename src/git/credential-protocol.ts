import {usageError} from '../errors.js'

/**
 * git-credential(1)'s wire format: `key=value` lines ending at a blank line or end of input. Keys
 * ending in `[]` are lists (`wwwauth[]`, `capability[]`). Values are bytes without newline or NUL,
 * and no line git writes is longer than 65535 bytes.
 */
export interface CredentialRequest {
  /** Single-valued attributes, the last one winning as in git's own reader. */
  attributes: Map<string, string>
  /** Multi-valued attributes (`wwwauth[]`, `capability[]`), in order, keyed without the brackets. */
  lists: Map<string, string[]>
}

export const MAX_LINE_BYTES = 65_535
/** A real request is a few hundred bytes; many large `wwwauth[]` headers stay far below this. */
export const MAX_INPUT_BYTES = 1024 * 1024

const bad = (reason: string) =>
  usageError(`git-credential: ${reason}; expected git-credential(1) "key=value" lines ending with a blank line`)

/** Parses one request from raw bytes; throws a one-line usage error (exit 2) on anything git would never send. */
export function parseCredentialRequest(input: Buffer): CredentialRequest {
  const request: CredentialRequest = {attributes: new Map(), lists: new Map()}
  let start = 0
  let lineNumber = 0
  while (start < input.length) {
    let end = input.indexOf(0x0a, start)
    if (end === -1) end = input.length
    lineNumber++
    const raw = input.subarray(start, end)
    start = end + 1
    if (raw.length > MAX_LINE_BYTES) throw bad(`line ${lineNumber} is ${raw.length} bytes, over the ${MAX_LINE_BYTES}-byte limit`)
    if (raw.includes(0)) throw bad(`line ${lineNumber} holds a NUL byte (binary input)`)
    // git's strbuf_getline drops a CR before the LF.
    const line = raw.toString('utf8').replace(/\r$/, '')
    if (line === '') break
    const eq = line.indexOf('=')
    if (eq <= 0) throw bad(`line ${lineNumber} is not a key=value attribute`)
    const key = line.slice(0, eq)
    const value = line.slice(eq + 1)
    if (key.endsWith('[]')) {
      const name = key.slice(0, -2)
      // An empty value resets a list (git-credential(1) for wwwauth[] and capability[]).
      const list = value === '' ? [] : [...(request.lists.get(name) ?? []), value]
      request.lists.set(name, list)
    } else {
      request.attributes.set(key, value)
    }
  }

  return request
}

/**
 * Reads a request from a stream, stopping at the blank line or end of input, without holding more
 * than the limits allow: a 1 MB line is refused after 64 KB, not buffered.
 */
export async function readCredentialRequest(stream: NodeJS.ReadableStream): Promise<CredentialRequest> {
  const chunks: Buffer[] = []
  let size = 0
  let lineStart = 0
  for await (const chunk of stream) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer)
    chunks.push(buffer)
    if (buffer.includes(0)) throw bad('the request holds a NUL byte (binary input)')
    const offset = size
    size += buffer.length
    if (size > MAX_INPUT_BYTES) throw bad(`the request is over ${MAX_INPUT_BYTES / 1024} KB`)
    // Track where the current line began, so an endless line fails as soon as it passes the limit
    // and a blank line ends reading without waiting for the writer to close.
    let done = false
    for (let i = 0; i < buffer.length; i++) {
      if (buffer[i] !== 0x0a) continue
      const at = offset + i
      const lineLength = at - lineStart
      const isBlank = lineLength === 0 || (lineLength === 1 && byteAt(chunks, lineStart) === 0x0d)
      lineStart = at + 1
      if (isBlank) {
        done = true
        break
      }
    }

    if (size - lineStart > MAX_LINE_BYTES + 1) throw bad(`a line is over the ${MAX_LINE_BYTES}-byte limit`)
    if (done) break
  }

  return parseCredentialRequest(Buffer.concat(chunks))
}

function byteAt(chunks: Buffer[], index: number): number | undefined {
  let offset = index
  for (const chunk of chunks) {
    if (offset < chunk.length) return chunk[offset]
    offset -= chunk.length
  }

  return undefined
}

/** Writes attributes in git's format; a value with a newline or NUL would corrupt the protocol, so it is refused. */
export function serializeCredential(pairs: ReadonlyArray<readonly [string, string]>): string {
  let out = ''
  for (const [key, value] of pairs) {
    if (/[\n\0]/.test(key + value) || key.includes('=')) throw new Error(`credential attribute ${key} holds a character git-credential cannot carry`)
    out += `${key}=${value}\n`
  }

  return out
}
