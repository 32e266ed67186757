import {randomInt} from 'node:crypto'
import {createServer, type RequestListener, type Server} from 'node:http'

/** The IANA dynamic range: ports nothing registers, so a random pick rarely collides. */
export const DYNAMIC_PORTS: [number, number] = [49152, 65535]
const RANDOM_ATTEMPTS = 10

export type PortRequest = {port: number} | {range: [number, number]} | {random: true}

/** Thrown when no port of the request could be bound; `port` is set for a fixed --port. */
export class PortUnavailableError extends Error {
  constructor(
    readonly request: PortRequest,
    readonly reason: 'busy' | 'denied',
    /** A port that was free a moment ago, above the privileged range: what to suggest instead. */
    readonly freePort?: number,
  ) {
    super('port' in request ? `Port ${request.port} is ${reason === 'busy' ? 'already in use' : 'not available'}` : 'No free port')
    this.name = 'PortUnavailableError'
  }
}

export interface LoopbackBinding {
  port: number
  /** One server per loopback address, all sharing the same request listener. */
  servers: Server[]
}

/**
 * Binds 127.0.0.1 and, when the host has it, ::1 on the same port: browsers may resolve
 * `localhost` to either, and the redirect URI says `localhost`. Never a wildcard address.
 */
export async function bindLoopback(request: PortRequest, listener: RequestListener): Promise<LoopbackBinding> {
  for (const port of candidates(request)) {
    const outcome = await bindPort(port, listener)
    if (typeof outcome !== 'string') return outcome
    if (outcome === 'denied' && 'port' in request) throw new PortUnavailableError(request, 'denied', await freePort())
  }

  throw new PortUnavailableError(request, 'busy', 'port' in request ? await freePort() : undefined)
}

/** A port the system hands out as free (its ephemeral range is never privileged). */
async function freePort(): Promise<number | undefined> {
  const server = createServer()
  if (await listen(server, 0, '127.0.0.1')) return undefined
  const {port} = server.address() as {port: number}
  await new Promise((resolve) => {
    server.close(resolve)
  })
  return port
}

function* candidates(request: PortRequest): Generator<number> {
  if ('port' in request) {
    yield request.port
  } else if ('range' in request) {
    for (let port = request.range[0]; port <= request.range[1]; port++) yield port
  } else {
    for (let i = 0; i < RANDOM_ATTEMPTS; i++) yield randomInt(DYNAMIC_PORTS[0], DYNAMIC_PORTS[1] + 1)
  }
}

async function bindPort(port: number, listener: RequestListener): Promise<'busy' | 'denied' | LoopbackBinding> {
  const v4 = createServer(listener)
  const v4Error = await listen(v4, port, '127.0.0.1')
  if (v4Error) return v4Error === 'EACCES' ? 'denied' : 'busy'

  const v6 = createServer(listener)
  const v6Error = await listen(v6, port, '::1')
  if (!v6Error) return {port, servers: [v4, v6]}
  // A host without IPv6 loopback answers localhost on 127.0.0.1 only; that is fine.
  if (v6Error === 'EADDRNOTAVAIL' || v6Error === 'EAFNOSUPPORT') return {port, servers: [v4]}

  await new Promise((resolve) => {
    v4.close(resolve)
  })
  return v6Error === 'EACCES' ? 'denied' : 'busy'
}

function listen(server: Server, port: number, host: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const onError = (error: NodeJS.ErrnoException) => resolve(error.code ?? 'UNKNOWN')
    server.once('error', onError)
    server.listen({host, port}, () => {
      server.off('error', onError)
      resolve(undefined)
    })
  })
}
