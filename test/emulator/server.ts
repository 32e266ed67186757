import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import {createServer} from 'node:https'
import type {AddressInfo, Socket} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {CONFIDENTIAL_CLIENT_ID, DEFAULT_TENANT_ID, PUBLIC_CLIENT_ID} from './constants.js'
import {createControlHandler} from './control-routes.js'
import {createControl} from './control.js'
import {OidcIssuer} from './oidc-issuer.js'
import {createPki} from './pki.js'
import {createRouter} from './router.js'
import {EmulatorState} from './state.js'
import {TokenIssuer} from './tokens.js'
import type {Emulator, EmulatorOptions} from './types.js'

export async function startEmulator(opts: EmulatorOptions = {}): Promise<Emulator> {
  const pki = await createPki()
  const dir = await mkdtemp(join(tmpdir(), 'entratool-emulator-'))
  const caFile = join(dir, 'ca.pem')
  await writeFile(caFile, pki.caPem, {mode: 0o600})

  const server = createServer({key: pki.serverKeyPem, cert: pki.serverCertPem})
  const sockets = new Set<Socket>()
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  // Each TLS connection gets a number, logged with its requests: tests see how many a call made.
  const connections = new WeakMap<object, number>()
  let connectionCount = 0
  server.on('secureConnection', (socket: Socket) => connections.set(socket, ++connectionCount))
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      // Loopback only: the emulator must never be reachable from another machine.
      server.listen(opts.port ?? 0, '127.0.0.1', () => resolve())
    })
  } catch (err) {
    await rm(dir, {recursive: true, force: true})
    throw err
  }

  const port = (server.address() as AddressInfo).port
  const host = `127.0.0.1:${port}`
  const url = `https://${host}`
  const state = new EmulatorState()
  const oidc = new OidcIssuer(url, pki.oidcKey)
  const control = createControl(state, oidc)
  const timers = new Set<NodeJS.Timeout>()
  const delay = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer)
        resolve()
      }, ms)
      timers.add(timer)
    })
  const info = () => ({url, host, caFile, tenantId: DEFAULT_TENANT_ID, publicClientId: PUBLIC_CLIENT_ID, confidentialClientId: CONFIDENTIAL_CLIENT_ID})
  const router = createRouter({
    state,
    baseUrl: url,
    host,
    tokenKey: pki.tokenKey,
    oidc,
    oidcIssuer: {url: oidc.url, key: pki.oidcKey},
    issuer: new TokenIssuer(state, pki.tokenKey, url),
    delay,
    control: createControlHandler(control, info),
    connectionOf: (req) => connections.get(req.socket),
  })
  server.on('request', (req, res) => {
    if (state.clockSkew !== 0) res.setHeader('date', new Date(Date.now() + state.clockSkew * 1000).toUTCString())
    router(req, res).catch((err: unknown) => {
      process.stderr.write(`emulator: ${(err as Error)?.stack ?? String(err)}\n`)
      if (!res.headersSent) res.writeHead(500).end()
      else res.destroy()
    })
  })

  let stopped: Promise<void> | undefined
  const stop = () =>
    (stopped ??= (async () => {
      for (const timer of timers) clearTimeout(timer)
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      for (const socket of sockets) socket.destroy()
      await closed
      await rm(dir, {recursive: true, force: true})
    })())

  return {
    url,
    port,
    host,
    caPem: pki.caPem,
    caFile,
    tenantId: DEFAULT_TENANT_ID,
    authority: (tenant?: string) => `${url}/${tenant ?? DEFAULT_TENANT_ID}`,
    control,
    stop,
  }
}
