/**
 * `npm run bench:identity`: the managed-identity endpoint of `serve-identity` / `exec`.
 *
 * 1. In process: the identity server (IdentityService over the real TokenService, the emulator
 *    behind it) answering a cached resource over a keep-alive HTTP connection: requests per
 *    second and p50/p90 latency, sequential and with 16 requests in flight. Goal: p50 ≤ 2 ms.
 *    The emulator's log must show exactly one token request for the whole run.
 * 2. Side by side, interleaved round-robin: `new DefaultAzureCredential().getToken()` of
 *    @azure/identity through a running `entratool serve-identity`, against
 *    `new AzureCliCredential().getToken()` through the real `az` where it is installed.
 *
 * The real az signs in to the emulator as a service principal (bench/real-az.ts answers MSAL-Python's
 * instance discovery on loopback) and then answers from its own token cache; should that sign-in
 * fail, its row is az's "Please run 'az login'" answer, the floor of any real az call, and the
 * output says why.
 *
 * Environment: BENCH_RUNS (side-by-side rounds, default 15), BENCH_REQUESTS (in-process requests, default 2000).
 */
import {DefaultAzureCredential} from '@azure/identity'
import {Config} from '@oclif/core'
import {createLocalJWKSet, jwtVerify} from 'jose'
import {type ChildProcess, spawn} from 'node:child_process'
import {mkdtempSync} from 'node:fs'
import {Agent, request} from 'node:http'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {performance} from 'node:perf_hooks'


import {IdentityService} from '../src/identity-server/identity-service.js'
import {Ui} from '../src/ui/ui.js'
import {emulatorRequest} from '../test/emulator/http-client.js'
import {API_APP_ID_URI, CLIENT_SECRET, CONFIDENTIAL_CLIENT_ID, DEFAULT_TENANT_ID, startEmulator} from '../test/emulator/index.js'
import {baseEnv, BIN, ROOT} from '../test/helpers/cli.js'
import {machine, median, percentile, removeDir, timeProcess} from './lib.js'
import {realAzRow} from './real-az.js'

const RUNS = Math.max(5, Number(process.env.BENCH_RUNS ?? 15))
const REQUESTS = Math.max(200, Number(process.env.BENCH_REQUESTS ?? 2000))
const SCOPE = `${API_APP_ID_URI}/.default`

function get(agent: Agent, url: string, secret: string): Promise<{status: number; body: string}> {
  return new Promise((resolve, reject) => {
    const req = request(url, {agent, headers: {'X-IDENTITY-HEADER': secret}}, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (d) => (body += d))
      res.on('end', () => resolve({body, status: res.statusCode ?? 0}))
    })
    req.on('error', reject)
    req.end()
  })
}

/** `entratool serve-identity` as a user runs it; resolves with its four variables. */
function serve(env: Record<string, string>): Promise<{child: ChildProcess; vars: Record<string, string>}> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'serve-identity', '-p', 'ci', '-o', 'json'], {env, stdio: ['ignore', 'pipe', 'ignore']})
    let out = ''
    child.stdout!.on('data', (d) => {
      out += d
      if (out.endsWith('}\n')) resolve({child, vars: JSON.parse(out)})
    })
    child.on('exit', (code) => reject(new Error(`serve-identity exited ${code}`)))
  })
}

async function main(): Promise<void> {
  const emu = await startEmulator()
  const home = mkdtempSync(join(tmpdir(), 'entratool-bench-identity-'))
  const env: Record<string, string> = {...baseEnv(home), ENTRATOOL_CA_FILE: emu.caFile, ENTRATOOL_CONFIG_DIR: join(home, 'config')}
  let server: ChildProcess | undefined
  let real: Awaited<ReturnType<typeof realAzRow>> | undefined
  try {
    const created = await timeProcess(
      process.execPath,
      [BIN, 'create-profile', '--name', 'ci', '--tenant-id', DEFAULT_TENANT_ID, '--client-id', CONFIDENTIAL_CLIENT_ID, '--authority', emu.authority(), '--flow', 'client-credentials', '--scope', SCOPE, '--client-secret-stdin'],
      {env, input: CLIENT_SECRET},
    )
    if (created.code !== 0) throw new Error(created.stderr)
    const jwks = createLocalJWKSet((await emulatorRequest(emu, 'GET', `/${DEFAULT_TENANT_ID}/discovery/v2.0/keys`)).json() as never)
    const m = machine()
    const lines = [`Machine: ${m.cpu}, ${m.cores} cores, ${m.os}, Node ${m.node}.`, '']

    // 1. In process.
    emu.control.clearRequests()
    const config = await Config.load(ROOT)
    const abort = new AbortController()
    const origins = new Map<string, number>()
    const identity = await new IdentityService({config, env, signal: abort.signal, ui: new Ui({debug: false, silent: true})}).start({
      audit: (line) => {
        const origin = /from=(\w+)/.exec(line)?.[1] ?? /status=(\d+)/.exec(line)![1]
        origins.set(origin, (origins.get(origin) ?? 0) + 1)
      },
      bind: '127.0.0.1',
      minValidityMs: 5 * 60_000,
      port: 0,
      profiles: ['ci'],
    })
    const url = `${identity.endpoint}?api-version=2019-08-01&resource=${encodeURIComponent(API_APP_ID_URI)}`
    const secret = identity.env.IDENTITY_HEADER
    const agent = new Agent({keepAlive: true, maxSockets: 16})
    const first = await get(agent, url, secret)
    if (first.status !== 200) throw new Error(first.body)
    await jwtVerify(JSON.parse(first.body).access_token, jwks, {audience: API_APP_ID_URI})
    for (let i = 0; i < 200; i++) await get(agent, url, secret)
    const latencies: number[] = []
    const sequentialStart = performance.now()
    for (let i = 0; i < REQUESTS; i++) {
      const start = performance.now()
      const res = await get(agent, url, secret)
      latencies.push(performance.now() - start)
      if (res.status !== 200) throw new Error(res.body)
    }

    const sequentialRps = REQUESTS / ((performance.now() - sequentialStart) / 1000)
    const parallelStart = performance.now()
    let done = 0
    await Promise.all(
      Array.from({length: 16}, async () => {
        while (done < REQUESTS) {
          done++
          const res = await get(agent, url, secret)
          if (res.status !== 200) throw new Error(res.body)
        }
      }),
    )
    const parallelRps = REQUESTS / ((performance.now() - parallelStart) / 1000)
    agent.destroy()
    await identity.close()
    const tokenRequests = emu.control.requests().filter((r) => r.endpoint === 'token').length
    if (tokenRequests !== 1) throw new Error(`expected one token request for the whole in-process run, saw ${tokenRequests}`)
    const p50 = percentile(latencies, 50)
    lines.push(
      `In process (IdentityService → TokenService → emulator), cached resource, keep-alive HTTP, ${REQUESTS} requests after 200 warm-up:`,
      '',
      '| measure | value |',
      '| --- | ---: |',
      `| p50 latency, sequential | ${p50.toFixed(2)} ms (goal ≤ 2 ms: ${p50 <= 2 ? 'met' : 'not met'}) |`,
      `| p90 latency, sequential | ${percentile(latencies, 90).toFixed(2)} ms |`,
      `| requests per second, sequential | ${sequentialRps.toFixed(0)} |`,
      `| requests per second, 16 in flight | ${parallelRps.toFixed(0)} |`,
      `| answers by origin | ${[...origins].map(([k, v]) => `${k} ${v}`).join(', ')} |`,
      `| token requests to the emulator | ${tokenRequests} |`,
      '',
    )

    // 2. Side by side.
    const served = await serve(env)
    server = served.child
    const dacEnv = {...baseEnv(home), ...served.vars, AZURE_POD_IDENTITY_AUTHORITY_HOST: 'http://127.0.0.1:9'}
    const verify = (token: string) => jwtVerify(token, jwks, {audience: API_APP_ID_URI})
    real = await realAzRow(emu, home, baseEnv(home), {clientId: CONFIDENTIAL_CLIENT_ID, resource: API_APP_ID_URI, secret: CLIENT_SECRET, tenantId: DEFAULT_TENANT_ID}, verify)
    const scenarios = [
      {
        async call() {
          await verify((await new DefaultAzureCredential().getToken(SCOPE)).token)
        },
        env: dacEnv,
        label: '`new DefaultAzureCredential().getToken()` → entratool serve-identity (cached)',
        samples: [] as number[],
      },
      ...(real.row ? [{...real.row, samples: [] as number[]}] : []),
    ]
    emu.control.clearRequests()
    for (let round = 0; round < RUNS + 2; round++) {
      for (const s of scenarios) {
        const saved = {...process.env}
        for (const key of Object.keys(process.env)) delete process.env[key]
        Object.assign(process.env, s.env)
        try {
          const start = performance.now()
          await s.call()
          if (round >= 2) s.samples.push(performance.now() - start)
        } finally {
          for (const key of Object.keys(process.env)) delete process.env[key]
          Object.assign(process.env, saved)
        }
      }

      process.stderr.write(`round ${round + 1}/${RUNS + 2}\n`)
    }

    lines.push(`Side by side, ${RUNS} interleaved rounds after 2 warm-up (a new credential object per call, as a short-lived script has):`, '', '| scenario | median ms | p90 ms | min ms |', '| --- | ---: | ---: | ---: |')
    for (const s of scenarios) lines.push(`| ${s.label} | ${median(s.samples).toFixed(1)} | ${percentile(s.samples, 90).toFixed(1)} | ${Math.min(...s.samples).toFixed(1)} |`)
    if (scenarios.length === 2) lines.push('', `Real az / DefaultAzureCredential through serve-identity: ${(median(scenarios[1].samples) / median(scenarios[0].samples)).toFixed(0)}x (medians).`)
    if (real.note) lines.push('', real.note)
    lines.push(`Token requests to the emulator during the side-by-side rounds: ${emu.control.requests().filter((r) => r.endpoint === 'token').length}.`)
    process.stdout.write(`${lines.join('\n')}\n`)
  } finally {
    server?.kill('SIGTERM')
    await real?.stop()
    await emu.stop()
    removeDir(home)
  }
}

await main()
