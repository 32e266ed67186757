import {createLocalJWKSet, type JWTPayload, jwtVerify} from 'jose'
import forge from 'node-forge'
import {execFileSync, spawn} from 'node:child_process'
import {generateKeyPairSync} from 'node:crypto'
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {createServer, type Server} from 'node:https'
import type {AddressInfo} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'


import {emulatorRequest} from '../emulator/http-client.js'
import {issue, toForgeKey} from '../emulator/pki.js'
import type {Emulator} from '../emulator/types.js'

export interface GitRequestLog {
  method: string
  path: string
  /** What the client sent: nothing, Basic (token as the password) or Bearer. */
  scheme: 'basic' | 'bearer' | 'none'
  /** The token's `uti` when one was presented and verified. */
  tokenId?: string
  username?: string
  status: number
}

export interface GitServer {
  url: string
  /** `host:port`, as git writes `host=`. */
  host: string
  /** The CA git must trust (GIT_SSL_CAINFO). */
  caFile: string
  /** The bare repositories' directory (GIT_PROJECT_ROOT). */
  root: string
  requests: GitRequestLog[]
  /** Refuses every token issued before now (`iat`), as a resource does after a session is revoked. */
  revokeIssuedTokens(): void
  stop(): Promise<void>
}

const REALM = 'entratool test git'

/**
 * A loopback HTTPS git server as Azure Repos behaves for Entra tokens: `git http-backend` (Debian's
 * git) behind Node's https server, answering 401 with `WWW-Authenticate: Basic realm=…` and
 * `Bearer` unless the Basic password or the Bearer token is a JWT signed by the emulator's tenant
 * keys (fetched from its JWKS), for `audience`, not expired and not revoked.
 */
export async function startGitServer(emu: Emulator, audience: string): Promise<GitServer> {
  const dir = mkdtempSync(join(tmpdir(), 'entratool-git-server-'))
  const root = join(dir, 'repos')
  mkdirSync(root)
  const tls = serverCertificate()
  const caFile = join(dir, 'ca.pem')
  writeFileSync(caFile, tls.caPem)
  const discovery = (await emulatorRequest(emu, 'GET', `/${emu.tenantId}/v2.0/.well-known/openid-configuration`)).json<{issuer: string; jwks_uri: string}>()
  const keys = createLocalJWKSet((await emulatorRequest(emu, 'GET', discovery.jwks_uri)).json())
  const requests: GitRequestLog[] = []
  let revokedBefore = 0

  async function verify(token: string): Promise<JWTPayload | undefined> {
    try {
      const {payload} = await jwtVerify(token, keys, {audience, issuer: discovery.issuer})
      return (payload.iat ?? 0) < revokedBefore ? undefined : payload
    } catch {
      return undefined
    }
  }

  const server: Server = createServer({cert: tls.certPem, key: tls.keyPem}, async (req, res) => {
    const entry: GitRequestLog = {method: req.method ?? '', path: (req.url ?? '').split('?')[0], scheme: 'none', status: 0}
    requests.push(entry)
    const auth = req.headers.authorization ?? ''
    let token: string | undefined
    if (/^basic /i.test(auth)) {
      entry.scheme = 'basic'
      const decoded = Buffer.from(auth.slice(6), 'base64').toString('utf8')
      entry.username = decoded.slice(0, decoded.indexOf(':'))
      token = decoded.slice(decoded.indexOf(':') + 1)
    } else if (/^bearer /i.test(auth)) {
      entry.scheme = 'bearer'
      token = auth.slice(7)
    }

    const payload = token ? await verify(token) : undefined
    if (!payload) {
      entry.status = 401
      res.writeHead(401, {'content-type': 'text/plain', 'www-authenticate': [`Basic realm="${REALM}"`, `Bearer realm="${REALM}"`]})
      res.end('Unauthorized\n')
      return
    }

    entry.tokenId = payload.uti as string | undefined
    cgi(req, res, root, entry, String(payload.preferred_username ?? payload.appid ?? 'user'))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as AddressInfo
  return {
    caFile,
    host: `127.0.0.1:${port}`,
    requests,
    revokeIssuedTokens() {
      revokedBefore = Math.floor(Date.now() / 1000) + 1
    },
    root,
    async stop() {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
      rmSync(dir, {force: true, recursive: true})
    },
    url: `https://127.0.0.1:${port}`,
  }
}

/** Runs `git http-backend` as a CGI for one request and relays its answer. */
function cgi(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse, root: string, entry: GitRequestLog, user: string): void {
  const url = new URL(req.url ?? '/', 'https://git.invalid')
  const env: Record<string, string> = {
    GIT_HTTP_EXPORT_ALL: '1',
    GIT_PROJECT_ROOT: root,
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    PATH_INFO: decodeURIComponent(url.pathname),
    QUERY_STRING: url.search.slice(1),
    REMOTE_ADDR: '127.0.0.1',
    // receive-pack (push) is enabled only for an authenticated user.
    REMOTE_USER: user,
    REQUEST_METHOD: req.method ?? 'GET',
  }
  if (req.headers['content-type']) env.CONTENT_TYPE = req.headers['content-type']
  if (req.headers['content-length']) env.CONTENT_LENGTH = req.headers['content-length']
  if (req.headers['content-encoding']) env.HTTP_CONTENT_ENCODING = req.headers['content-encoding']
  if (req.headers['git-protocol']) env.HTTP_GIT_PROTOCOL = String(req.headers['git-protocol'])
  const child = spawn('git', ['http-backend'], {env, stdio: ['pipe', 'pipe', 'pipe']})
  req.pipe(child.stdin)
  let head = Buffer.alloc(0)
  let headersDone = false
  child.stdout.on('data', (chunk: Buffer) => {
    if (headersDone) {
      res.write(chunk)
      return
    }

    head = Buffer.concat([head, chunk])
    const end = head.indexOf('\r\n\r\n') === -1 ? head.indexOf('\n\n') : head.indexOf('\r\n\r\n')
    if (end === -1) return
    const separator = head.indexOf('\r\n\r\n') === -1 ? 2 : 4
    headersDone = true
    let status = 200
    for (const line of head.subarray(0, end).toString('latin1').split(/\r?\n/)) {
      const colon = line.indexOf(':')
      const name = line.slice(0, colon).trim()
      const value = line.slice(colon + 1).trim()
      if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10)
      else res.setHeader(name, value)
    }

    entry.status = status
    res.writeHead(status)
    res.write(head.subarray(end + separator))
  })
  child.stderr.resume()
  child.on('close', () => {
    if (!headersDone) {
      entry.status = 500
      res.writeHead(500)
    }

    res.end()
  })
}

/** A CA and a 127.0.0.1 certificate of its own: git must be told to trust it, as with any private server. */
function serverCertificate(): {caPem: string; certPem: string; keyPem: string} {
  const ca = generateKeyPairSync('rsa', {modulusLength: 2048})
  const leaf = generateKeyPairSync('rsa', {modulusLength: 2048})
  const caKey = toForgeKey(ca.privateKey)
  const caCert = issue({
    commonName: 'entratool test git server CA',
    extensions: [
      {cA: true, critical: true, name: 'basicConstraints'},
      {critical: true, keyCertSign: true, name: 'keyUsage'},
      {name: 'subjectKeyIdentifier'},
    ],
    publicKey: ca.publicKey,
    selfKey: caKey,
  })
  const cert = issue({
    commonName: '127.0.0.1',
    extensions: [
      {cA: false, name: 'basicConstraints'},
      {critical: true, digitalSignature: true, keyEncipherment: true, name: 'keyUsage'},
      {name: 'extKeyUsage', serverAuth: true},
      {altNames: [{ip: '127.0.0.1', type: 7}], name: 'subjectAltName'},
      {keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes(), name: 'authorityKeyIdentifier'},
    ],
    issuer: {cert: caCert, key: caKey},
    publicKey: leaf.publicKey,
  })
  return {caPem: forge.pki.certificateToPem(caCert), certPem: forge.pki.certificateToPem(cert), keyPem: leaf.privateKey.export({format: 'pem', type: 'pkcs8'}) as string}
}

/** A bare repository `name` under the server's root with one commit on main. */
export function createRepository(server: GitServer, name: string, env: NodeJS.ProcessEnv): void {
  const bare = join(server.root, name)
  const work = mkdtempSync(join(tmpdir(), 'entratool-git-seed-'))
  const git = (args: string[], cwd: string) => execFileSync('git', args, {cwd, env, stdio: 'pipe'})
  try {
    git(['init', '--quiet', '--bare', '--initial-branch=main', bare], server.root)
    git(['init', '--quiet', '--initial-branch=main'], work)
    writeFileSync(join(work, 'README'), 'seeded by the test\n')
    git(['add', 'README'], work)
    git(['commit', '--quiet', '-m', 'seed'], work)
    git(['push', '--quiet', bare, 'main'], work)
  } finally {
    rmSync(work, {force: true, recursive: true})
  }
}
