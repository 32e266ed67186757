import {existsSync} from 'node:fs'
import {connect, type Socket} from 'node:net'
import {join} from 'node:path'

/** Where a session bus can be reached, or why none can. */
type BusAddress = {path: string} | {host: string; port: number} | {unknown: string} | {none: string}

/**
 * Checks that the D-Bus session bus answers before the Secret Service is called natively.
 *
 * Measured with @napi-rs/keyring 2.1.2: every call it makes to the Secret Service itself gives up
 * after ~2 s, but connecting to a bus that accepts and never replies blocks the JavaScript thread
 * in the native constructor with no end. Neither a timer, a worker's terminate() nor process.exit()
 * gets past that (Node joins its threads at exit), so the one unbounded step is done here first,
 * in plain non-blocking JavaScript: connect and start the authentication handshake, whose first
 * reply proves the bus is alive. Resolves with undefined when it answers (or when the address uses
 * a transport this check does not know, left to the native library), else with the reason.
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
    let reply = ''
    socket.on('connect', () => socket.write(`\0AUTH EXTERNAL ${Buffer.from(String(process.getuid?.() ?? 0)).toString('hex')}\r\n`))
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1')
      if (reply.includes('\r\n')) finish(undefined)
    })
    socket.on('error', (error) => finish(`cannot reach the D-Bus session bus at ${where}: ${error.message}`))
    socket.on('close', () => finish(`the D-Bus session bus at ${where} closed the connection`))
  })
}

/** The first address in DBUS_SESSION_BUS_ADDRESS, as libdbus would try it. */
function busAddress(env: NodeJS.ProcessEnv): BusAddress {
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
