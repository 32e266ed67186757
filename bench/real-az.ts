/**
 * Signs the real Azure CLI in to the local emulator, on loopback only, so the benchmark can time a
 * real `az account get-access-token` beside the shim.
 *
 * az 2.45's MSAL-Python asks `https://login.microsoftonline.com/common/discovery/instance` about any
 * authority host it does not know. That one request is answered here, on loopback: az runs with
 * HTTPS_PROXY set to a CONNECT proxy on 127.0.0.1 that accepts only login.microsoftonline.com:443,
 * terminates TLS with a certificate from a throw-away CA (given to az in REQUESTS_CA_BUNDLE) and
 * points MSAL at the emulator's tenant discovery. Every other CONNECT is refused, and NO_PROXY sends
 * az's requests to 127.0.0.1 (the emulator, the stand-in ARM) directly: nothing leaves the machine.
 * The stand-in ARM answers az login's tenant and subscription listings with empty lists.
 */
import forge from 'node-forge'
import {spawnSync} from 'node:child_process'
import {generateKeyPairSync} from 'node:crypto'
import {existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {createServer as createHttpServer, type Server as HttpServer} from 'node:http'
import {createServer as createHttpsServer, type Server as HttpsServer} from 'node:https'
import type {AddressInfo} from 'node:net'
import {join} from 'node:path'


import type {Emulator} from '../test/emulator/index.js'
import {issue, toForgeKey} from '../test/emulator/pki.js'
import {type ProcResult, timeProcess} from './lib.js'

const MICROSOFT = 'login.microsoftonline.com'
/** How RealAz.log shows the one request its stub for login.microsoftonline.com answers. */
export const INSTANCE_DISCOVERY = 'instance discovery (loopback stub)'

export interface RealAz {
  env: Record<string, string>
  /**
   * What reached the loopback helpers rather than the emulator, in order: INSTANCE_DISCOVERY, any
   * other path asked of the stub (answered 404), `ARM <method> <path> (loopback stand-in)`,
   * `refused CONNECT <host:port>`. Callers clear it between runs (`log.length = 0`).
   */
  log: string[]
  stop: () => Promise<void>
}

function certificates(): {caPem: string; leaf: (host: string, ip?: string) => {cert: string; key: string}} {
  const ca = generateKeyPairSync('rsa', {modulusLength: 2048})
  const caKey = toForgeKey(ca.privateKey)
  const caCert = issue({commonName: 'entratool bench loopback CA', extensions: [{cA: true, critical: true, name: 'basicConstraints'}, {critical: true, keyCertSign: true, name: 'keyUsage'}], publicKey: ca.publicKey, selfKey: caKey})
  return {
    caPem: forge.pki.certificateToPem(caCert),
    leaf(host, ip) {
      const pair = generateKeyPairSync('rsa', {modulusLength: 2048})
      const cert = issue({
        commonName: host,
        extensions: [{name: 'subjectAltName', altNames: [{type: 2, value: host}, ...(ip ? [{ip, type: 7}] : [])]}, {name: 'extKeyUsage', serverAuth: true}],
        issuer: {cert: caCert, key: caKey},
        publicKey: pair.publicKey,
      })
      return {cert: forge.pki.certificateToPem(cert), key: pair.privateKey.export({format: 'pem', type: 'pkcs8'}) as string}
    },
  }
}

const listen = (server: HttpServer | HttpsServer) => new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)))

/** Starts the loopback helpers and runs `az cloud register` + `az login --service-principal`. */
export async function signInRealAz(emu: Emulator, home: string, clientId: string, secret: string, tenantId: string, resource: string): Promise<RealAz> {
  mkdirSync(home, {recursive: true})
  const pki = certificates()
  const discovery = pki.leaf(MICROSOFT)
  const tenantDiscovery = `${emu.authority(tenantId)}/v2.0/.well-known/openid-configuration`
  const log: string[] = []
  const microsoft = createHttpsServer({cert: discovery.cert, key: discovery.key}, (req, res) => {
    const ok = req.url?.startsWith('/common/discovery/instance')
    log.push(ok ? INSTANCE_DISCOVERY : `${MICROSOFT}${req.url?.split('?')[0]} (loopback stub: 404)`)
    res.writeHead(ok ? 200 : 404, {'content-type': 'application/json'})
    res.end(JSON.stringify(ok ? {'api-version': '1.1', metadata: [], tenant_discovery_endpoint: tenantDiscovery} : {error: 'not_found'}))
  })
  const proxy = createHttpServer()
  proxy.on('connect', (req, socket) => {
    if (req.url !== `${MICROSOFT}:443`) {
      log.push(`refused CONNECT ${req.url}`)
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n')
      return
    }

    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n')
    microsoft.emit('connection', socket)
  })
  const armCert = pki.leaf('localhost', '127.0.0.1')
  const arm = createHttpsServer({cert: armCert.cert, key: armCert.key}, (req, res) => {
    log.push(`ARM ${req.method} ${req.url?.split('?')[0]} (loopback stand-in)`)
    res.writeHead(200, {'content-type': 'application/json'})
    res.end(JSON.stringify({value: []}))
  })
  const [proxyPort, armPort] = [await listen(proxy), await listen(arm)]
  const bundle = join(home, 'az-ca-bundle.pem')
  writeFileSync(bundle, `${pki.caPem}\n${readFileSync(emu.caFile, 'utf8')}\n`)
  const env: Record<string, string> = {
    AZURE_CONFIG_DIR: join(home, 'azure'),
    AZURE_CORE_COLLECT_TELEMETRY: 'no',
    AZURE_CORE_NO_COLOR: 'true',
    AZURE_CORE_ONLY_SHOW_ERRORS: 'true',
    AZURE_CORE_SURVEY_MESSAGE: 'no',
    HOME: home,
    HTTPS_PROXY: `http://127.0.0.1:${proxyPort}`,
    NO_PROXY: '127.0.0.1,localhost',
    PATH: '/usr/bin:/bin',
    REQUESTS_CA_BUNDLE: bundle,
  }
  const stop = async () => {
    for (const server of [proxy, microsoft, arm]) server.close()
  }

  const az = async (args: string[]): Promise<ProcResult> => {
    const res = await timeProcess('az', args, {env, timeoutMs: 300_000})
    if (res.code !== 0) throw new Error(`az ${args.join(' ')} exited ${res.code}: ${res.stderr}`)
    return res
  }

  try {
    const origin = new URL(emu.authority(tenantId)).origin
    await az(['cloud', 'register', '--name', 'EntraEmulator', '--endpoint-active-directory', origin, '--endpoint-active-directory-resource-id', resource, '--endpoint-resource-manager', `https://127.0.0.1:${armPort}/`, '--endpoint-active-directory-graph-resource-id', 'https://graph.microsoft.com/', '--endpoint-management', resource])
    await az(['cloud', 'set', '--name', 'EntraEmulator'])
    // az 2.45 takes a service principal's secret only as an argument; this is the emulator's fixed
    // test secret, never a real one.
    await az(['login', '--service-principal', '--username', clientId, '--password', secret, '--tenant', tenantId, '--allow-no-subscriptions', '--output', 'none'])
  } catch (error) {
    await stop()
    throw error
  }

  return {env, log, stop}
}

/** One timed row of a side-by-side table: `call` throws when the result is not what `label` claims. */
export interface AzRow {
  call: () => Promise<void>
  env: Record<string, string>
  label: string
}

/**
 * The real az's row beside entratool's, for both benchmarks that compare with it: AzureCliCredential
 * through a real az signed in to the emulator (its own MSAL cache, as on a workstation) when the
 * sign-in works, else az's "Please run 'az login'" answer, the floor of any real az call. `note`
 * says which, or that no az is installed (then there is no row).
 */
export async function realAzRow(emu: Emulator, home: string, env: Record<string, string>, identity: {clientId: string; resource: string; secret: string; tenantId: string}, verify: (token: string) => Promise<unknown>): Promise<{note: string; row?: AzRow; stop: () => Promise<void>}> {
  const {AzureCliCredential} = await import('@azure/identity')
  const scope = `${identity.resource}/.default`
  if (!findAz()) return {note: 'No real az installed here: no az row.', stop: async () => {}}
  try {
    const signedIn = await signInRealAz(emu, join(home, 'real-az'), identity.clientId, identity.secret, identity.tenantId, identity.resource)
    const azEnv = {...env, ...signedIn.env}
    return {
      note: '',
      row: {
        async call() {
          await verify((await new AzureCliCredential().getToken(scope)).token)
        },
        env: azEnv,
        label: `AzureCliCredential → real ${azVersion(azEnv)}, signed in to the emulator (its own MSAL cache)`,
      },
      stop: signedIn.stop,
    }
  } catch (error) {
    const azEnv = {...env, AZURE_CONFIG_DIR: join(home, 'azure'), PATH: '/usr/bin:/bin'}
    return {
      note: `The real az could not sign in to the emulator (${(error as Error).message.split('\n')[0]}): its row is az's "Please run 'az login'" answer, the floor of any real az call.`,
      row: {
        async call() {
          try {
            await new AzureCliCredential().getToken(scope)
          } catch (error_) {
            if (/az login/.test((error_ as Error).message)) return
            throw error_
          }

          throw new Error("the real az returned a token: update this row's label")
        },
        env: azEnv,
        label: `AzureCliCredential → real ${azVersion(azEnv)}, not signed in: az's floor`,
      },
      stop: async () => {},
    }
  }
}

/** The real Azure CLI's path, where it is installed (Debian's package or Microsoft's), else undefined. */
export function findAz(): string | undefined {
  return ['/usr/bin/az', '/usr/local/bin/az'].find((f) => existsSync(f))
}

/** `az <version>` as az reports it, or plain `az` when it does not say. */
export function azVersion(env: Record<string, string>): string {
  const res = spawnSync('az', ['version', '--output', 'tsv', '--query', '"azure-cli"'], {encoding: 'utf8', env})
  return res.status === 0 && res.stdout.trim() ? `az ${res.stdout.trim()}` : 'az'
}
