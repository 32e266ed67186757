/** Test helpers for the identity endpoint: run `serve-identity` as a real subprocess, ask it over HTTP, verify tokens. */
import {createLocalJWKSet, decodeJwt, jwtVerify} from 'jose'
import {type ChildProcess, spawn} from 'node:child_process'
import {request} from 'node:http'

import {emulatorRequest} from '../emulator/http-client.js'
import {API_APP_ID_URI, CLIENT_SECRET, CONFIDENTIAL_CLIENT_ID, DEFAULT_TENANT_ID, type Emulator} from '../emulator/index.js'
import {BIN, runCli} from '../helpers/cli.js'

export interface Served {
  child: ChildProcess
  env: Record<string, string>
  stdout: string
  stderr: () => string
  /** The audit lines written so far. */
  audits: () => string[]
  /** Waits for the audit line of an answer already received (it may trail the HTTP answer by a moment). */
  audit: (index: number) => Promise<string>
  exited: Promise<{code: number | null; signal: NodeJS.Signals | null}>
  stop: (signal?: NodeJS.Signals) => Promise<{code: number | null; signal: NodeJS.Signals | null}>
}

/** Starts `entratool serve-identity ARGS` and resolves once its four variables are on stdout. */
export function serveIdentity(args: string[], env: Record<string, string>): Promise<Served> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'serve-identity', ...args], {env, stdio: ['ignore', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    const exited = new Promise<{code: number | null; signal: NodeJS.Signals | null}>((done) => child.on('exit', (code, signal) => done({code, signal})))
    const timer = setTimeout(() => reject(new Error(`serve-identity did not start:\n${stderr}`)), 20_000)
    child.stderr!.on('data', (d) => (stderr += d))
    const audits = () => stderr.split('\n').filter((line) => line.startsWith('identity: '))
    child.stdout!.on('data', (d) => {
      stdout += d
      const json = args.includes('json')
      const ready = json ? stdout.endsWith('}\n') : stdout.split('\n').length > 4
      if (!ready) return
      clearTimeout(timer)
      const vars = json ? JSON.parse(stdout) : Object.fromEntries([...stdout.matchAll(/^export (\w+)='([^']*)'$/gm)].map((m) => [m[1], m[2]]))
      resolve({
        child,
        env: vars,
        exited,
        async audit(index) {
          for (let waited = 0; waited < 5000; waited += 20) {
            const line = audits()[index]
            if (line !== undefined) return line
            await new Promise((done) => setTimeout(done, 20))
          }

          throw new Error(`no audit line #${index}:\n${stderr}`)
        },
        audits,
        stderr: () => stderr,
        stdout,
        stop(signal = 'SIGTERM') {
          child.kill(signal)
          return exited
        },
      })
    })
    void exited.then(({code}) => reject(new Error(`serve-identity exited ${code}:\n${stderr}`)))
  })
}

export interface Reply {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
  json: () => any
}

/** One plain HTTP request (no keep-alive), as a client would send it. */
export function ask(url: string, options: {method?: string; headers?: Record<string, string>; body?: string} = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, {agent: false, headers: options.headers, method: options.method ?? 'GET'}, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (d) => (body += d))
      res.on('end', () => resolve({body, headers: res.headers, json: () => JSON.parse(body), status: res.statusCode ?? 0}))
    })
    req.on('error', reject)
    req.end(options.body)
  })
}

/** Asks the endpoint for a resource the way the 2019-08-01 clients do. */
export function askToken(served: Pick<Served, 'env'>, resource: string, extra = '', headers: Record<string, string> = {}): Promise<Reply> {
  return ask(`${served.env.IDENTITY_ENDPOINT}?api-version=2019-08-01&resource=${encodeURIComponent(resource)}${extra}`, {headers: {'X-IDENTITY-HEADER': served.env.IDENTITY_HEADER, ...headers}})
}

/** Verifies a token against the emulator's published keys with the expected audience; returns its claims. */
export async function verifyToken(emu: Emulator, token: string, audience: string, options: {whenIssued?: boolean} = {}) {
  const jwks = (await emulatorRequest(emu, 'GET', `/${DEFAULT_TENANT_ID}/discovery/v2.0/keys`)).json()
  // whenIssued: a short-lived token checked after its end, as of the second after it was issued.
  const currentDate = options.whenIssued ? new Date((decodeJwt(token).iat! + 1) * 1000) : undefined
  const {payload} = await jwtVerify(token, createLocalJWKSet(jwks as never), {audience, currentDate})
  return payload
}

/** The client-credentials profile `name` on the emulator's confidential app. */
export async function createAppProfile(emu: Emulator, env: Record<string, string>, name = 'app'): Promise<void> {
  const res = await runCli(
    ['create-profile', '--name', name, '--tenant-id', DEFAULT_TENANT_ID, '--client-id', CONFIDENTIAL_CLIENT_ID, '--authority', emu.authority(), '--flow', 'client-credentials', '--scope', `${API_APP_ID_URI}/.default`, '--client-secret-stdin'],
    {env, input: CLIENT_SECRET},
  )
  if (res.code !== 0) throw new Error(res.stderr)
}

/** Token requests the emulator saw (discovery and metadata excluded). */
export const tokenRequests = (emu: Emulator) => emu.control.requests().filter((r) => r.endpoint === 'token')
