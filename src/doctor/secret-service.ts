import {connect, type Socket} from 'node:net'

import {busAddress} from '../storage/session-bus.js'

/** What the Secret Service says about the collection secrets go to (the `default` alias). */
export type CollectionState = {locked: boolean} | {problem: string}

/**
 * Asks the Secret Service, over the session bus, whether its default collection is locked: one
 * Properties.Get call after the bus handshake, in non-blocking JavaScript, given up at `deadline`.
 * A locked collection makes keyring calls wait for an unlock prompt nobody may see.
 */
export async function defaultCollectionState(env: NodeJS.ProcessEnv, deadline: number): Promise<CollectionState> {
  const address = busAddress(env)
  if ('none' in address) return {problem: address.none}
  if ('unknown' in address) return {problem: `the bus address ${address.unknown} uses a transport this check does not speak`}

  return new Promise((resolve) => {
    const socket: Socket = 'path' in address ? connect({path: address.path}) : connect({host: address.host, port: address.port})
    let settled = false
    const finish = (state: CollectionState) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      socket.destroy()
      resolve(state)
    }

    const timer = setTimeout(() => finish({problem: 'the Secret Service did not answer in time'}), Math.max(0, deadline - Date.now()))
    let authenticated = false
    let pending = Buffer.alloc(0)
    socket.on('connect', () => socket.write(`\0AUTH EXTERNAL ${Buffer.from(String(process.getuid?.() ?? 0)).toString('hex')}\r\n`))
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk])
      if (!authenticated) {
        const end = pending.indexOf('\r\n')
        if (end === -1) return
        const line = pending.subarray(0, end).toString('latin1')
        if (!line.startsWith('OK ')) return finish({problem: `the session bus refused the connection (${line.trim()})`})
        authenticated = true
        pending = pending.subarray(end + 2)
        socket.write(Buffer.concat([Buffer.from('BEGIN\r\n'), HELLO, GET_LOCKED]))
      }

      for (;;) {
        const message = nextMessage(pending)
        if (!message) return
        pending = pending.subarray(message.length)
        if (message.replyTo !== GET_SERIAL) continue
        if (message.type === ERROR) return finish({problem: errorSentence(message.errorName)})
        return finish(message.locked === undefined ? {problem: 'the Secret Service answered something unexpected'} : {locked: message.locked})
      }
    })
    socket.on('error', (error) => finish({problem: `cannot reach the session bus: ${error.message}`}))
    socket.on('close', () => finish({problem: 'the session bus closed the connection'}))
  })
}

function errorSentence(name: string | undefined): string {
  if (name === 'org.freedesktop.DBus.Error.ServiceUnknown') return 'no Secret Service runs on the session bus (no keyring daemon)'
  // gnome-keyring answers UnknownMethod on an alias that leads nowhere yet.
  if (name === 'org.freedesktop.DBus.Error.UnknownObject' || name === 'org.freedesktop.DBus.Error.UnknownMethod' || name === 'org.freedesktop.Secret.Error.NoSuchObject') {
    return 'the Secret Service has no default collection (keyring) yet'
  }

  return `the Secret Service answered ${name ?? 'an error'}`
}

const METHOD_CALL = 1
const ERROR = 3
const GET_SERIAL = 2

/** One D-Bus message, little-endian, with string-typed header fields and a body of strings. */
function methodCall(serial: number, fields: {path: string; interface: string; member: string; destination: string}, args: string[] = []): Buffer {
  const out: number[] = []
  const align = (n: number) => {
    while (out.length % n) out.push(0)
  }

  const u32 = (value: number) => {
    align(4)
    const b = Buffer.alloc(4)
    b.writeUInt32LE(value)
    out.push(...b)
  }

  const string = (value: string) => {
    u32(Buffer.byteLength(value))
    out.push(...Buffer.from(value), 0)
  }

  out.push(0x6c, METHOD_CALL, 0, 1)
  u32(0)
  u32(serial)
  const fieldsLengthAt = out.length
  u32(0)
  const fieldsStart = out.length
  const header: [number, string, string][] = [[1, 'o', fields.path], [2, 's', fields.interface], [3, 's', fields.member], [6, 's', fields.destination]]
  for (const [code, type, value] of header) {
    align(8)
    out.push(code, 1, type.charCodeAt(0), 0)
    string(value)
  }

  if (args.length > 0) {
    align(8)
    const signature = 's'.repeat(args.length)
    out.push(8, 1, 'g'.charCodeAt(0), 0, signature.length, ...Buffer.from(signature), 0)
  }

  const fieldsLength = out.length - fieldsStart
  align(8)
  const bodyStart = out.length
  for (const arg of args) string(arg)
  const message = Buffer.from(out)
  message.writeUInt32LE(fieldsLength, fieldsLengthAt)
  message.writeUInt32LE(out.length - bodyStart, 4)
  return message
}

const HELLO = methodCall(1, {destination: 'org.freedesktop.DBus', interface: 'org.freedesktop.DBus', member: 'Hello', path: '/org/freedesktop/DBus'})
const GET_LOCKED = methodCall(
  GET_SERIAL,
  {destination: 'org.freedesktop.secrets', interface: 'org.freedesktop.DBus.Properties', member: 'Get', path: '/org/freedesktop/secrets/aliases/default'},
  ['org.freedesktop.Secret.Collection', 'Locked'],
)

interface Message {
  length: number
  type: number
  replyTo?: number
  errorName?: string
  /** A reply whose body is a boolean variant (the property asked for). */
  locked?: boolean
}

/** The first complete message in `data` (little-endian only, as the bus answers a little-endian client). */
function nextMessage(data: Buffer): Message | undefined {
  if (data.length < 16) return undefined
  const bodyLength = data.readUInt32LE(4)
  const fieldsLength = data.readUInt32LE(12)
  const bodyStart = 16 + fieldsLength + ((8 - ((16 + fieldsLength) % 8)) % 8)
  const length = bodyStart + bodyLength
  if (data.length < length) return undefined
  const message: Message = {length, type: data[1]}
  let at = 16
  const end = 16 + fieldsLength
  while (at < end) {
    at += (8 - (at % 8)) % 8
    const code = data[at]
    const signatureLength = data[at + 1]
    const type = String.fromCharCode(data[at + 2])
    at += 2 + signatureLength + 1
    if (type === 'u') {
      at += (4 - (at % 4)) % 4
      if (code === 5) message.replyTo = data.readUInt32LE(at)
      at += 4
    } else if (type === 's' || type === 'o') {
      at += (4 - (at % 4)) % 4
      const size = data.readUInt32LE(at)
      if (code === 4) message.errorName = data.toString('utf8', at + 4, at + 4 + size)
      at += 4 + size + 1
    } else if (type === 'g') {
      at += 1 + data[at] + 1
    } else {
      break
    }
  }

  // A variant holding a boolean: signature "b", then the value as a 32-bit word.
  if (data[bodyStart] === 1 && data[bodyStart + 1] === 'b'.charCodeAt(0)) {
    let value = bodyStart + 3
    value += (4 - (value % 4)) % 4
    if (value + 4 <= length) message.locked = data.readUInt32LE(value) === 1
  }

  return message
}
