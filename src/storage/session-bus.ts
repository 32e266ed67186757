import {existsSync} from 'node:fs'
import {connect, type Socket} from 'node:net'
import {join} from 'node:path'

/** Where a session bus can be reached, or why none can. */
type BusAddress = {path: string} | {host: string; port: number} | {unknown: string} | {none: string}

/**
 * Checks that the D-Bus session bus answers before the Secret Service is called natively.
 *
 * Measured with @napi-rs/keyring 2.1.2: its calls to the Secret Service give up after ~2 s, but
 * connecting to a bus that accepts and then does not reply (to the authentication, or to the
 * `Hello` every connection starts with) blocks the JavaScript thread in the native constructor
 * with no end. Neither a timer, a worker's terminate() nor process.exit() gets past that (Node
 * joins its threads at exit), so those unbounded steps are done here first, in non-blocking
 * JavaScript. Resolves with undefined when the bus answers (or when its address uses a transport
 * this check does not know, left to the native library), else with the reason.
 */
export async function sessionBusProblem(env: NodeJS.ProcessEnv, deadline: number): Promise<string | undefined> {
  const address = busAddress(env)
  if ('none' in address) return address.none
  if ('unknown' in address) return undefined
  const where = 'path' in address ? address.path.replace(/^\0/, '@') : `${address.host}:${address.port}`

  return new Promise((resolve) => {
    const socket: Socket = 'path' in address ? connect({path: address.path}) : connect({host: address.host, port: address.port})
    const finish = (problem: string | undefined) => {
      clearTimeout(timer)
      socket.destroy()
      resolve(problem)
    }

    const timer = setTimeout(() => finish(`the D-Bus session bus at ${where} did not answer`), Math.max(0, deadline - Date.now()))
    let authenticated = false
    let reply = ''
    socket.on('connect', () => socket.write(`\0AUTH EXTERNAL ${Buffer.from(String(process.getuid?.() ?? 0)).toString('hex')}\r\n`))
    socket.on('data', (chunk) => {
      if (authenticated) return finish(undefined)
      reply += chunk.toString('latin1')
      if (!reply.includes('\r\n')) return
      // Another mechanism may still succeed where EXTERNAL was refused: the bus did answer.
      if (!reply.startsWith('OK ')) return finish(undefined)
      authenticated = true
      socket.write(Buffer.concat([Buffer.from('BEGIN\r\n'), HELLO]))
    })
    socket.on('error', (error) => finish(`cannot reach the D-Bus session bus at ${where}: ${error.message}`))
    socket.on('close', () => finish(`the D-Bus session bus at ${where} closed the connection`))
  })
}

/** org.freedesktop.DBus.Hello, marshalled (little-endian method call, serial 1, no body). */
const HELLO = (() => {
  const bytes: number[] = []
  const align = (n: number) => {
    while (bytes.length % n) bytes.push(0)
  }

  const u32 = (value: number) => {
    align(4)
    const b = Buffer.alloc(4)
    b.writeUInt32LE(value)
    bytes.push(...b)
  }

  bytes.push(0x6c, 1, 0, 1)
  u32(0)
  u32(1)
  const lengthAt = bytes.length
  u32(0)
  const fieldsAt = bytes.length
  const fields: [number, string, string][] = [[1, 'o', '/org/freedesktop/DBus'], [2, 's', 'org.freedesktop.DBus'], [3, 's', 'Hello'], [6, 's', 'org.freedesktop.DBus']]
  for (const [code, signature, value] of fields) {
    align(8)
    bytes.push(code, 1, signature.charCodeAt(0), 0)
    u32(value.length)
    bytes.push(...Buffer.from(value), 0)
  }

  const message = Buffer.from(bytes)
  message.writeUInt32LE(bytes.length - fieldsAt, lengthAt)
  return Buffer.concat([message, Buffer.alloc((8 - (message.length % 8)) % 8)])
})()

/** The first address in DBUS_SESSION_BUS_ADDRESS, as libdbus would try it. */
export function busAddress(env: NodeJS.ProcessEnv): BusAddress {
  const value = env.DBUS_SESSION_BUS_ADDRESS?.split(';').find((a) => a.trim() !== '')
  if (!value) {
    // libdbus falls back to the per-user bus socket when the variable is unset.
    const fallback = env.XDG_RUNTIME_DIR ? join(env.XDG_RUNTIME_DIR, 'bus') : undefined
    if (fallback && existsSync(fallback)) return {path: fallback}
    return {none: 'no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set)'}
  }

  const [transport, rest = ''] = value.split(/:(.*)/s)
  let params: Map<string, string>
  try {
    params = new Map(rest.split(',').map((pair) => {
      const [key, raw = ''] = pair.split(/=(.*)/s)
      return [key, decodeURIComponent(raw)] as const
    }))
  } catch {
    return {unknown: value}
  }

  if (transport === 'unix' && params.has('path')) return {path: params.get('path')!}
  if (transport === 'unix' && params.has('abstract')) return {path: `\0${params.get('abstract')}`}
  if (transport === 'tcp' && params.has('port')) return {host: params.get('host') || 'localhost', port: Number(params.get('port'))}
  return {unknown: value}
}
