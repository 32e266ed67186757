/**
 * `npm run bench:shims`: what an application pays per token when its Azure SDK credential spawns
 * `az` / `azd` — through entratool's shims (cached token, fast path) and through the real Azure CLI
 * where it is installed — measured as the SDK sees it: the time of one `getToken` call of
 * @azure/identity's AzureCliCredential / AzureDeveloperCliCredential in this process, interleaved
 * round-robin so a noisy machine slows every scenario alike. The emulator answers on loopback.
 *
 * The real az signs in to the emulator as a service principal (bench/real-az.ts answers MSAL-Python's
 * instance discovery on loopback); it then answers from its own MSAL token cache, as on a
 * workstation. Should that sign-in fail, its row is az's "Please run 'az login'" answer instead,
 * the floor of any real az call, and the output says why.
 *
 * Environment: BENCH_RUNS (default 15), BENCH_WARMUP (default 2).
 */
import {AzureCliCredential, AzureDeveloperCliCredential} from '@azure/identity'
import {createLocalJWKSet, jwtVerify} from 'jose'
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {performance} from 'node:perf_hooks'


import {emulatorRequest} from '../test/emulator/http-client.js'
import {API_APP_ID_URI, CLIENT_SECRET, CONFIDENTIAL_CLIENT_ID, DEFAULT_TENANT_ID, startEmulator} from '../test/emulator/index.js'
import {baseEnv, BIN} from '../test/helpers/cli.js'
import {machine, median, percentile, removeDir, timeProcess} from './lib.js'
import {realAzRow} from './real-az.js'

const RUNS = Math.max(5, Number(process.env.BENCH_RUNS ?? 15))
const WARMUP = Math.max(0, Number(process.env.BENCH_WARMUP ?? 2))
const SCOPE = `${API_APP_ID_URI}/.default`

interface Scenario {
  id: string
  label: string
  env: Record<string, string>
  /** One timed call; throws when the result is not what the row claims. */
  call: () => Promise<void>
  samples: number[]
}

async function main(): Promise<void> {
  const emu = await startEmulator()
  const home = mkdtempSync(join(tmpdir(), 'entratool-bench-shims-'))
  const shims = join(home, 'shims')
  const env: Record<string, string> = {...baseEnv(home), ENTRATOOL_CA_FILE: emu.caFile, ENTRATOOL_CONFIG_DIR: join(home, 'config')}
  try {
    // Asynchronous: the emulator answers from this process.
    const run = async (args: string[], input = '') => {
      const res = await timeProcess(process.execPath, [BIN, ...args], {env, input, timeoutMs: 120_000})
      if (res.code !== 0) throw new Error(`entratool ${args.join(' ')}: ${res.stderr}`)
    }

    await run(['create-profile', '--name', 'ci', '--tenant-id', DEFAULT_TENANT_ID, '--client-id', CONFIDENTIAL_CLIENT_ID, '--authority', emu.authority(), '--flow', 'client-credentials', '--scope', SCOPE, '--client-secret-stdin'], CLIENT_SECRET)
    await run(['shim', 'install', '--dir', shims, '-p', 'ci'])
    await run(['get-token', '-p', 'ci', '-q'])
    const jwks = createLocalJWKSet((await emulatorRequest(emu, 'GET', `/${DEFAULT_TENANT_ID}/discovery/v2.0/keys`)).json() as never)

    // The SDK spawns az/azd with this process's environment: each scenario swaps it in for its call.
    const withEnv = async (scenarioEnv: Record<string, string>, fn: () => Promise<void>) => {
      const saved = {...process.env}
      for (const key of Object.keys(process.env)) delete process.env[key]
      Object.assign(process.env, scenarioEnv)
      try {
        await fn()
      } finally {
        for (const key of Object.keys(process.env)) delete process.env[key]
        Object.assign(process.env, saved)
      }
    }

    const shimEnv = {...env, PATH: `${shims}:/usr/bin:/bin`}
    const cachedToken = async (credential: AzureCliCredential | AzureDeveloperCliCredential) => {
      emu.control.clearRequests()
      const token = await credential.getToken(SCOPE)
      await jwtVerify(token.token, jwks, {audience: API_APP_ID_URI})
      if (emu.control.requests().length > 0) throw new Error('a cached token made a request to the authority')
    }

    const scenarios: Scenario[] = [
      {call: () => cachedToken(new AzureCliCredential()), env: shimEnv, id: 'shim-az', label: 'AzureCliCredential → entratool az shim (cached token)', samples: []},
      {call: () => cachedToken(new AzureDeveloperCliCredential()), env: shimEnv, id: 'shim-azd', label: 'AzureDeveloperCliCredential → entratool azd shim (cached token)', samples: []},
      {
        async call() {
          const res = await timeProcess(join(shims, 'az'), ['account', 'get-access-token', '--output', 'json', '--resource', API_APP_ID_URI], {env: shimEnv})
          if (res.code !== 0 || res.stderr !== '' || !JSON.parse(res.stdout).accessToken) throw new Error(`az shim: ${res.stderr}`)
        },
        env: shimEnv,
        id: 'shim-process',
        label: '`az account get-access-token` shim process alone (no SDK)',
        samples: [],
      },
    ]
    const real = await realAzRow(emu, home, env, {clientId: CONFIDENTIAL_CLIENT_ID, resource: API_APP_ID_URI, secret: CLIENT_SECRET, tenantId: DEFAULT_TENANT_ID}, (token) => jwtVerify(token, jwks, {audience: API_APP_ID_URI}))
    if (real.row) scenarios.push({...real.row, id: 'real-az', samples: []})

    for (let round = 0; round < WARMUP + RUNS; round++) {
      for (const s of scenarios) {
        await withEnv(s.env, async () => {
          const start = performance.now()
          await s.call()
          if (round >= WARMUP) s.samples.push(performance.now() - start)
        })
      }

      process.stderr.write(`round ${round + 1}/${WARMUP + RUNS}\n`)
    }

    const m = machine()
    const lines = [
      `Machine: ${m.cpu}, ${m.cores} cores, ${m.os}, Node ${m.node}; ${RUNS} measured rounds after ${WARMUP} warm-up, interleaved.`,
      '',
      '| scenario | median ms | p90 ms | min ms |',
      '| --- | ---: | ---: | ---: |',
      ...scenarios.map((s) => `| ${s.label} | ${median(s.samples).toFixed(0)} | ${percentile(s.samples, 90).toFixed(0)} | ${Math.min(...s.samples).toFixed(0)} |`),
    ]
    if (real.note) lines.push('', real.note)
    const shim = scenarios.find((s) => s.id === 'shim-az')!
    const realAz = scenarios.find((s) => s.id === 'real-az')
    if (realAz) lines.push('', `Real az / shimmed AzureCliCredential: ${(median(realAz.samples) / median(shim.samples)).toFixed(1)}x (medians).`)
    process.stdout.write(`${lines.join('\n')}\n`)
    await real.stop()
  } finally {
    await emu.stop()
    removeDir(home)
  }
}

await main()
