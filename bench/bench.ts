/**
 * `npm run bench`: start-up and flow latency of the built CLI, timed as whole processes against the
 * local Entra ID emulator (started in this process), interleaved round-robin across scenarios so a
 * noisy machine slows all of them alike. Every run is checked against the emulator's request log
 * (a cached run must make no request, a cold one exactly one, …); any failed check exits non-zero
 * and leaves BENCHMARKS.md untouched. Targets are reported as met / not met, never asserted.
 *
 * Where the real Azure CLI is installed, `az account get-access-token` runs in the same rounds,
 * signed in to the emulator as a service principal (bench/real-az.ts: loopback only).
 *
 * Environment: BENCH_RUNS (measured runs per scenario, default 20, at least 15), BENCH_WARMUP
 * (default 2), BENCH_OUT (default BENCHMARKS.md at the repository root; "-" for none).
 */
import {existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {performance} from 'node:perf_hooks'

import {API_APP_ID_URI, CLIENT_SECRET, CONFIDENTIAL_CLIENT_ID, DEFAULT_TENANT_ID, DEFAULT_USER, type Emulator, PUBLIC_CLIENT_ID, type RequestLogEntry, startEmulator} from '../test/emulator/index.js'
import {baseEnv, BIN, ROOT} from '../test/helpers/cli.js'
import {azMethodLines, azScenarios, setUpAz} from './az-scenarios.js'
import {CheckFailed, expectMatch, expectOk, expectRequests, expectToken, fail, type Invocation, JWT, requestSignature, type Scenario} from './checks.js'
import {buildBareOclif, machine, median, percentile, type ProcResult, readRssKb, removeDir, RSS_PRELOAD_SOURCE, rssCommand, rssMethod, timeProcess} from './lib.js'

const MEASURED = Math.max(15, Number(process.env.BENCH_RUNS ?? 20))
const WARMUP = Math.max(0, Number(process.env.BENCH_WARMUP ?? 2))
const OUT = process.env.BENCH_ONLY ? '-' : (process.env.BENCH_OUT ?? join(ROOT, 'BENCHMARKS.md'))
const VERSION = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version as string
/**
 * Token lifetime while measuring, in seconds: a round of every scenario takes several seconds, so
 * the refresh scenario's token has always expired when it runs again. (A token whose whole life is
 * shorter than --min-validity is served for the first half of it, so a lifetime merely under 5m
 * would be served from the cache.)
 */
const SHORT_LIFETIME = 2
const DEVICE_INTERVAL = 1

async function waitForFile(file: string, ms: number): Promise<boolean> {
  const until = Date.now() + ms
  while (!existsSync(file)) {
    if (Date.now() > until) return false
    await new Promise((r) => setTimeout(r, 20))
  }

  return true
}

function fmt(n: number, digits = 0): string {
  return Number.isFinite(n) ? n.toFixed(digits) : 'n/a'
}

async function main(): Promise<number> {
  const started = performance.now()
  const emu: Emulator = await startEmulator()
  const home = mkdtempSync(join(tmpdir(), 'entratool-bench-'))
  const stops: (() => Promise<void>)[] = []
  try {
    return await bench(emu, home, started, stops)
  } finally {
    for (const stop of stops) await stop()
    await emu.stop()
    removeDir(home)
  }
}

async function bench(emu: Emulator, home: string, started: number, stops: (() => Promise<void>)[]): Promise<number> {
  const configDir = join(home, 'config')
  const env: Record<string, string> = {...baseEnv(home), ENTRATOOL_CA_FILE: emu.caFile, ENTRATOOL_CONFIG_DIR: configDir}
  const progress = (text: string) => process.stderr.write(`[bench ${fmt((performance.now() - started) / 1000, 0)}s] ${text}\n`)

  /** Setup steps (untimed): must succeed. */
  const cli = async (args: string[], options: {env?: Record<string, string>; input?: string} = {}): Promise<ProcResult> => {
    const res = await timeProcess(process.execPath, [BIN, ...args], {env: options.env ?? env, input: options.input})
    if (res.code !== 0) throw new Error(`setup: entratool ${args.join(' ')} exited ${res.code ?? res.signal}: ${res.stderr}`)
    return res
  }

  // --- Profiles ------------------------------------------------------------------------------
  progress(`emulator at ${emu.url}; sandbox ${home}; creating profiles`)
  const authority = emu.authority()
  const common = ['--tenant-id', DEFAULT_TENANT_ID, '--authority', authority]
  emu.control.setTokenLifetime(3600)
  for (const name of ['app-cached', 'app-cold']) {
    await cli(['create-profile', '--name', name, ...common, '--client-id', CONFIDENTIAL_CLIENT_ID, '--flow', 'client-credentials', '--scope', `${API_APP_ID_URI}/.default`, '--client-secret-stdin'], {input: CLIENT_SECRET})
  }

  for (const [name, flow] of [['user-refresh', 'device-code'], ['user-device', 'device-code'], ['me', 'interactive']]) {
    await cli(['create-profile', '--name', name, ...common, '--client-id', PUBLIC_CLIENT_ID, '--flow', flow, '--scope', `${API_APP_ID_URI}/Data.Read`])
  }

  // The cached scenario's token: fetched once with an hour's lifetime, so it stays valid all run.
  emu.control.clearRequests()
  const first = JSON.parse((await cli(['get-token', '-p', 'app-cached', '-o', 'json'])).stdout)
  const cachedToken = String(first.access_token)
  if (first.from_cache !== false || !JWT.test(cachedToken)) throw new Error('setup: the first get-token of app-cached did not fetch a token')
  expectRequests(emu.control.requests(), ['token(client_credentials)'])

  const {az, note: azNote} = await setUpAz(emu, home, stops, progress)
  if (azNote) progress(azNote)

  // The refresh scenario's account: one device-code sign-in whose token lives SHORT_LIFETIME
  // seconds; the lifetime stays short so the token every refresh gets has expired by the next run.
  emu.control.setTokenLifetime(SHORT_LIFETIME)
  emu.control.setDeviceCodeBehavior({afterPolls: 0, interval: DEVICE_INTERVAL, mode: 'approve'})
  const signIn = await cli(['get-token', '-p', 'user-refresh', '-o', 'json'])
  if (JSON.parse(signIn.stdout).account?.username !== DEFAULT_USER.username) throw new Error('setup: the device-code sign-in of user-refresh returned no account')

  // list-profiles: 1 and 1,000 profiles written directly, in the documented profiles.json format.
  const listDir = (count: number): string => {
    const dir = join(home, `list-${count}`)
    mkdirSync(dir, {mode: 0o700, recursive: true})
    const now = new Date().toISOString()
    const flows = ['interactive', 'device-code', 'client-credentials']
    const profiles: Record<string, unknown> = {}
    for (let i = 0; i < count; i++) {
      const name = `bench-${String(i).padStart(4, '0')}`
      const flow = flows[i % flows.length]
      profiles[name] = {
        authority,
        clientId: flow === 'client-credentials' ? CONFIDENTIAL_CLIENT_ID : PUBLIC_CLIENT_ID,
        createdAt: now,
        flow,
        name,
        scopes: [flow === 'client-credentials' ? `${API_APP_ID_URI}/.default` : `${API_APP_ID_URI}/Data.Read`],
        tenantId: DEFAULT_TENANT_ID,
        updatedAt: now,
      }
    }

    writeFileSync(join(dir, 'profiles.json'), JSON.stringify({defaultProfile: 'bench-0000', profiles, version: 1}, null, 2), {mode: 0o600})
    return dir
  }

  const list1 = listDir(1)
  const list1000 = listDir(1000)

  progress('building the bare oclif app')
  const bareBin = await buildBareOclif(join(home, 'bare-oclif'), ROOT, env)

  // --- Scenarios -------------------------------------------------------------------------------
  const resultFile = join(home, 'scripted-browser.json')
  const browserScript = join(ROOT, 'test', 'helpers', 'scripted-browser.mjs')
  const interactiveEnv = {
    ...env,
    BENCH_BROWSER_CA: emu.caFile,
    BENCH_BROWSER_PASSWORD: DEFAULT_USER.password,
    BENCH_BROWSER_RESULT: resultFile,
    BENCH_BROWSER_USER: DEFAULT_USER.username,
    BROWSER: `"${process.execPath}" "${browserScript}"`,
    DISPLAY: ':99',
  }
  const cacheDir = join(configDir, 'cache')
  const clearCold = async () => {
    await cli(['clear-cache', '-p', 'app-cold'])
    if (existsSync(cacheDir) && readdirSync(cacheDir).some((f) => f.startsWith('app-cold.'))) fail('clear-cache left app-cold cache files behind')
  }

  const entratool = (args: string[], e = env) => (): Invocation => ({args: [BIN, ...args], command: process.execPath, env: e})
  const none = (res: ProcResult, requests: RequestLogEntry[]) => {
    expectOk(res)
    expectRequests(requests, [])
  }

  const scenario = (s: Omit<Scenario, 'kind' | 'samples'>): Scenario => ({...s, kind: 'ms', samples: []})
  const nodeE0 = scenario({check: none, id: 'node', invocation: () => ({args: ['-e', '0'], command: process.execPath, env}), label: 'node -e 0', shown: 'node -e 0'})
  const bare = scenario({
    check(res, requests) {
      none(res, requests)
      expectMatch(res.stdout, /^bare-oclif\/1\.0\.0 /, 'bare --version')
    },
    id: 'bare',
    invocation: () => ({args: [bareBin, '--version'], command: process.execPath, env}),
    label: 'bare oclif --version',
    shown: 'bare --version (one-command oclif app)',
  })
  const version = scenario({
    check(res, requests) {
      none(res, requests)
      expectMatch(res.stdout, new RegExp(`^entratool/${VERSION.replaceAll('.', '\\.')} `), '--version')
    },
    id: 'version',
    invocation: entratool(['--version']),
    label: 'entratool --version',
    shown: 'entratool --version',
  })
  const help = scenario({
    check(res, requests) {
      none(res, requests)
      expectMatch(res.stdout, /USAGE[\s\S]*get-token/, '--help')
    },
    id: 'help',
    invocation: entratool(['--help']),
    label: 'entratool --help',
    shown: 'entratool --help',
  })
  const cached = scenario({
    check(res, requests) {
      expectToken(res, cachedToken)
      expectRequests(requests, [])
      expectMatch(res.stderr, /Using cached token/, 'stderr')
    },
    id: 'cached',
    invocation: entratool(['get-token', '-p', 'app-cached', '-o', 'token']),
    label: 'get-token, cached',
    shown: 'entratool get-token -p app-cached -o token',
  })
  // What git writes for Azure Repos; app-cached's scope names a resource, so git gets the same cached token.
  const gitRequest = 'protocol=https\nhost=dev.azure.com\npath=org/_git/repo\n\n'
  const gitGet = scenario({
    check(res, requests) {
      expectOk(res)
      expectRequests(requests, [])
      if (res.stdout !== `username=app-cached\npassword=${cachedToken}\npassword_expiry_utc=${res.stdout.split('password_expiry_utc=')[1]}`) fail(`unexpected answer: ${res.stdout.slice(0, 80)}`)
      expectMatch(res.stdout, /\npassword_expiry_utc=\d+\n$/, 'git-credential answer')
    },
    id: 'git-get',
    invocation: () => ({args: [BIN, 'git-credential', '-p', 'app-cached', 'get'], command: process.execPath, env, input: gitRequest}),
    label: 'git-credential get, cached',
    shown: 'printf "protocol=https\\nhost=dev.azure.com\\n…\\n\\n" | entratool git-credential -p app-cached get',
  })
  const cold = scenario({
    check(res, requests) {
      if (expectToken(res) === cachedToken) fail('the cold run printed the other profile\'s token')
      expectRequests(requests, ['token(client_credentials)'])
    },
    id: 'cold',
    invocation: entratool(['get-token', '-p', 'app-cold', '-o', 'token']),
    label: 'get-token, cold (client credentials)',
    prepare: clearCold,
    shown: 'entratool get-token -p app-cold  (after an untimed clear-cache)',
  })
  const refresh = scenario({
    check(res, requests) {
      expectToken(res)
      expectRequests(requests, ['token(refresh_token)'])
      expectMatch(res.stderr, /Refreshing expired token[\s\S]*Token refreshed/, 'stderr')
    },
    id: 'refresh',
    invocation: entratool(['get-token', '-p', 'user-refresh']),
    label: 'get-token, silent refresh',
    shown: `entratool get-token -p user-refresh  (cached token expired: ${SHORT_LIFETIME} s lifetime)`,
  })

  const interactive = scenario({
    async check(res, requests) {
      expectToken(res)
      if (!(await waitForFile(resultFile, 5000))) fail('the scripted browser wrote no result')
      const seen = JSON.parse(readFileSync(resultFile, 'utf8'))
      if (!seen.ok) fail(`the scripted browser did not sign in: ${seen.error} (${seen.hops?.join('; ')})`)
      expectRequests(requests, ['authorize POST', 'token(authorization_code)'])
      expectMatch(res.stderr, /Browser opened[\s\S]*Authentication successful/, 'stderr')
      if (/device code/i.test(res.stderr)) fail('fell back to the device code flow')
    },
    id: 'interactive',
    invocation: entratool(['get-token', '-p', 'me', '--force', '--timeout', '30s'], interactiveEnv),
    label: 'get-token, interactive (scripted sign-in)',
    async prepare() {
      rmSync(resultFile, {force: true})
    },
    shown: 'BROWSER=scripted-browser.mjs DISPLAY=:99 entratool get-token -p me --force',
  })
  const device = scenario({
    check(res, requests) {
      expectToken(res)
      expectRequests(requests, ['devicecode', 'token(device_code)'])
      expectMatch(res.stderr, /And enter code: [A-Z]{4}-[A-Z]{4}/, 'stderr')
    },
    id: 'device',
    invocation: entratool(['get-token', '-p', 'user-device', '--force']),
    label: 'get-token, device code (approved at 1st poll)',
    async prepare() {
      emu.control.setDeviceCodeBehavior({afterPolls: 0, interval: DEVICE_INTERVAL, mode: 'approve'})
    },
    shown: 'entratool get-token -p user-device --force',
  })
  const devicePending = scenario({
    check(res, requests) {
      expectToken(res)
      expectRequests(requests, ['devicecode', 'token(device_code)', 'token(device_code)'])
    },
    id: 'device-pending',
    invocation: entratool(['get-token', '-p', 'user-device', '--force']),
    label: `get-token, device code (1 pending poll, interval ${DEVICE_INTERVAL} s)`,
    async prepare() {
      emu.control.setDeviceCodeBehavior({afterPolls: 1, interval: DEVICE_INTERVAL, mode: 'approve'})
    },
    shown: 'entratool get-token -p user-device --force',
  })
  const listCheck = (count: number) => (res: ProcResult, requests: RequestLogEntry[]) => {
    none(res, requests)
    const rows = res.stdout.split('\n').filter((line) => /^[* ] bench-\d{4} /.test(line)).length
    if (rows !== count) fail(`list-profiles printed ${rows} profile rows, expected ${count}`)
  }

  const listOne = scenario({
    check: listCheck(1),
    id: 'list-1',
    invocation: entratool(['list-profiles'], {...env, ENTRATOOL_CONFIG_DIR: list1}),
    label: 'list-profiles, 1 profile',
    shown: 'entratool list-profiles',
  })
  const listThousand = scenario({
    check: listCheck(1000),
    id: 'list-1000',
    invocation: entratool(['list-profiles'], {...env, ENTRATOOL_CONFIG_DIR: list1000}),
    label: 'list-profiles, 1,000 profiles',
    shown: 'entratool list-profiles',
  })
  const inspect = scenario({
    check(res, requests) {
      none(res, requests)
      expectMatch(res.stdout, /Audience\s+api:\/\/entratool-demo-api[\s\S]*Signature not verified/, 'inspect output')
    },
    id: 'inspect',
    invocation: entratool(['inspect', cachedToken]),
    label: 'inspect <token>',
    shown: 'entratool inspect <jwt>',
  })

  // Peak RSS: the same runs and checks as cached / cold, wrapped in /usr/bin/time (not timed).
  const preload = join(home, 'rss-preload.mjs')
  writeFileSync(preload, RSS_PRELOAD_SOURCE)
  const rssOf = (base: Scenario): Scenario => {
    const rssFile = join(home, `rss-${base.id}.txt`)
    return {
      ...base,
      id: `rss-${base.id}`,
      invocation() {
        const inner = base.invocation()
        return {...rssCommand(inner.args, rssFile, preload), env: {...inner.env, BENCH_RSS_FILE: rssFile}}
      },
      kind: 'rss',
      label: `peak RSS, ${base.label}`,
      async prepare() {
        rmSync(rssFile, {force: true})
        await base.prepare?.()
      },
      rssFile,
      samples: [],
    }
  }

  const timed = [nodeE0, version, bare, help, cached, gitGet, cold, refresh, ...(az ? azScenarios(az) : []), interactive, device, devicePending, listOne, listThousand, inspect]
  const rss = [rssOf(cached), rssOf(cold)]
  // BENCH_ONLY=node,cached,cold (scenario ids) measures a subset, for a quick comparison; never written.
  const only = process.env.BENCH_ONLY?.split(',').map((id) => id.trim())
  const all = [...timed, ...rss].filter((s) => !only || only.includes(s.id))

  // --- Measure: round-robin, each round starting one scenario later ------------------------------
  const rounds = WARMUP + MEASURED
  progress(`measuring ${all.length} scenarios × ${rounds} runs (${WARMUP} warm-up), interleaved`)
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < all.length; i++) {
      const s = all[(i + round) % all.length]
      if (s.failure) continue
      let res: ProcResult | undefined
      try {
        await s.prepare?.()
        emu.control.clearRequests()
        if (s.helperLog) s.helperLog.length = 0
        const inv = s.invocation()
        res = await timeProcess(inv.command, inv.args, {env: inv.env, input: inv.input, timeoutMs: 60_000})
        const requests = emu.control.requests()
        // A run that loads with plugin errors or Node warnings is not the product being measured.
        const warning = res.stderr.match(/^.*(\(node:\d+\)|Error Plugin:).*$/m)
        if (warning) fail(`stderr has a warning: ${warning[0]}`)
        await s.check(res, requests)
        if (round >= WARMUP) {
          s.observed ??= new Map()
          const sig = requestSignature(requests, s.helperLog)
          s.observed.set(sig, (s.observed.get(sig) ?? 0) + 1)
        }
        s.samples.push(s.kind === 'rss' ? readRssKb(s.rssFile!) : res.ms)
      } catch (error) {
        s.failure = `round ${round + 1}: ${(error as Error).message}`
        if (res && error instanceof CheckFailed) s.failure += `\n    stderr: ${res.stderr.trim().split('\n').slice(-6).join('\n            ')}`
        process.stderr.write(`FAIL ${s.id}: ${s.failure}\n`)
      }
    }

    progress(`round ${round + 1}/${rounds}${round < WARMUP ? ' (warm-up)' : ''}`)
  }

  const failed = all.filter((s) => s.failure)
  if (failed.length > 0) {
    console.error(`\n${failed.length} scenario(s) FAILED; BENCHMARKS.md not written:`)
    for (const s of failed) console.error(`  ${s.id}: ${s.failure}`)
    return 1
  }

  // --- Report ------------------------------------------------------------------------------------
  const stats = new Map(all.map((s) => [s.id, {median: median(s.samples.slice(WARMUP)), n: s.samples.length - WARMUP, p90: percentile(s.samples.slice(WARMUP), 90), min: Math.min(...s.samples.slice(WARMUP))}]))
  const med = (id: string) => stats.get(id)?.median ?? Number.NaN
  const mib = (kb: number) => kb / 1024

  const observed = (s: Scenario): string =>
    [...(s.observed ?? new Map<string, number>())].map(([sig, n]) => (s.observed!.size > 1 ? `${sig} (${n}×)` : sig)).join('; ')
  const m = machine()
  const lines: string[] = []
  lines.push('# Benchmarks', '', '<!-- Generated by `npm run bench` (bench/bench.ts). Do not edit by hand: run it again. -->', '')
  lines.push(`- **Machine**: ${m.cpu}, ${m.cores} cores, ${m.memory} RAM, ${m.os}`)
  lines.push(`- **Node**: ${m.node}; entratool ${VERSION} (built \`dist/\`, run as \`node bin/run.js\`)`)
  lines.push(`- **Date**: ${m.date}`)
  lines.push(`- **Method**: whole processes, spawned asynchronously, timed from spawn to exit; ${all.length} scenarios interleaved round-robin (each round starts one scenario later), ${WARMUP} warm-up + ${MEASURED} measured runs each; the local Entra ID emulator answers from the benchmark's own process over HTTPS on 127.0.0.1, and no process is given any other address to talk to (the az rows included: below). Peak RSS by ${rssMethod()}.`, '')
  lines.push('## Wall time', '')
  lines.push('| scenario | command | median ms | p90 ms | min ms | runs | emulator requests per run (checked) |')
  lines.push('|---|---|--:|--:|--:|--:|---|')
  for (const s of timed.filter((t) => all.includes(t))) {
    const st = stats.get(s.id)!
    lines.push(`| ${s.label} | \`${s.shown}\` | ${fmt(st.median)} | ${fmt(st.p90)} | ${fmt(st.min)} | ${st.n} | ${observed(s)} |`)
  }

  lines.push('', '## Peak RSS', '')
  lines.push('| scenario | median MiB | p90 MiB | runs |', '|---|--:|--:|--:|')
  for (const s of rss.filter((t) => all.includes(t))) {
    const st = stats.get(s.id)!
    lines.push(`| ${s.label.replace('peak RSS, ', '')} | ${fmt(mib(st.median), 1)} | ${fmt(mib(st.p90), 1)} | ${st.n} |`)
  }

  const targets: [string, string, string, boolean][] = [
    ['cached / --version', `${fmt(med('cached') / med('version'), 2)}×`, '≤ 1.25×', med('cached') <= 1.25 * med('version')],
    ['cached / node -e 0', `${fmt(med('cached') / med('node'), 2)}×`, '≤ 2.0×', med('cached') <= 2 * med('node')],
    ['--version / bare oclif --version', `${fmt(med('version') / med('bare'), 2)}×`, '≤ 1.15×', med('version') <= 1.15 * med('bare')],
    ['cold − cached', `+${fmt(med('cold') - med('cached'))} ms`, '≤ +120 ms', med('cold') - med('cached') <= 120],
    ['refresh − cached', `+${fmt(med('refresh') - med('cached'))} ms`, '≤ +150 ms', med('refresh') - med('cached') <= 150],
    ['interactive (absolute)', `${fmt(med('interactive'))} ms`, '≤ 700 ms', med('interactive') <= 700],
    ['peak RSS, cold get-token', `${fmt(mib(med('rss-cold')), 1)} MiB`, '≤ 60 MiB', mib(med('rss-cold')) <= 60],
    ['peak RSS, cached get-token', `${fmt(mib(med('rss-cached')), 1)} MiB`, '≤ 80 MiB', mib(med('rss-cached')) <= 80],
    ['list-1000 / list-1', `${fmt(med('list-1000') / med('list-1'), 2)}×`, '≤ 1.5×', med('list-1000') <= 1.5 * med('list-1')],
  ]
  if (stats.has('az-cold')) targets.push(['az cold / entratool cold', `${fmt(med('az-cold') / med('cold'), 2)}×`, '≥ 3×', med('az-cold') >= 3 * med('cold')])
  if (stats.has('az-cached')) targets.push(['az cached / entratool cached', `${fmt(med('az-cached') / med('cached'), 2)}×`, '≥ 6×', med('az-cached') >= 6 * med('cached')])
  lines.push('', '## Ratios and targets (medians of this run)', '')
  lines.push('The targets are issue 17\'s (cold, refresh, cached / node, peak RSS of a cold call, and the az ratios) and the earlier ones kept beside them.', '')
  lines.push('| measure | value | target | |', '|---|--:|---|---|')
  for (const [name, value, target, met] of targets) lines.push(`| ${name} | ${value} | ${target} | ${met ? 'met' : '**not met**'} |`)
  lines.push(`| device code (approved at 1st poll) | ${fmt(med('device'))} ms | – | (for reference) |`)
  if (azNote) lines.push('', azNote)

  lines.push('', '## What each scenario does (every run is checked)', '')
  lines.push('- Each run must exit 0 with no plugin error or Node warning on stderr, print what it should, and cause exactly the token / device-code / authorize requests listed above (from the emulator\'s request log, cleared before each run), plus at most one OpenID discovery request (`openid-configuration`: MSAL fetches the authority\'s metadata once in every process that uses it); otherwise the benchmark fails, exits non-zero and leaves this file alone.')
  lines.push('- **cached**: a client-credentials profile whose token was fetched once before measuring (1 h lifetime); stdout must be that same token, stderr "Using cached token", zero requests.')
  lines.push('- **cold**: `clear-cache -p app-cold` before each run (not timed; the cache files must be gone), then one client-credentials token request.')
  lines.push(`- **silent refresh**: a device-code profile signed in once while the emulator issues ${SHORT_LIFETIME} s tokens, so the cached token has expired each time the scenario runs (rounds take several seconds); each run makes exactly one refresh_token grant (and gets another ${SHORT_LIFETIME} s token).`)
  lines.push('- **interactive**: `BROWSER` is `test/helpers/scripted-browser.mjs` (no real browser): it POSTs the username and password to the sign-in URL entratool opens (the emulator\'s scripted sign-in), then follows the 302 to the loopback callback and its `/done` page with plain HTTP GETs. `DISPLAY=:99` keeps entratool from falling back to device code. The time includes starting that second Node process (≈ one `node -e 0`), which a real browser would replace with a person\'s sign-in.')
  lines.push(`- **device code**: the emulator approves automatically. Approved at the first poll, the run shows the tool's own cost; with one \`authorization_pending\` answer MSAL sleeps a whole \`interval\` (${DEVICE_INTERVAL} s here) before polling again, so the wait is (pending polls × interval) and dominates everything else — Entra's usual interval is 5 s, and a person typing the code takes far longer.`)
  lines.push('- **list-profiles**: profiles.json written directly (version 1, 1 or 1,000 profiles across the three flows, no cached tokens), each in its own config directory; the output must list exactly that many rows.')
  lines.push('- **bare oclif --version**: a one-command oclif app built in a temporary directory (package.json with `oclif: {bin, commands: "./commands"}`, one plain-JS command, its manifest from the repository\'s `oclif manifest`), resolving `@oclif/core` from this repository\'s node_modules through a symlink.')
  lines.push('- **Peak RSS**: the cached and cold `get-token` runs and checks again, under the RSS wrapper; medians.')
  lines.push(...azMethodLines(az, WARMUP + MEASURED))
  lines.push('', '## Reproduce', '', '```bash', 'npm ci && npm run bench        # builds, then writes this file', '```', '')
  lines.push('The az rows need the Azure CLI (Debian 12: `apt-get install azure-cli`, 2.45; or Microsoft\'s package at /usr/local/bin/az); without it they, and their targets, are left out with a note. They use the same emulator, on loopback only, as every other row.', '')
  lines.push('`BENCH_RUNS` (measured runs per scenario, ≥ 15) and `BENCH_WARMUP` change the counts; `BENCH_OUT=-` prints without writing this file. The whole run takes about ' + `${fmt((performance.now() - started) / 60_000, 1)} min here.`, '')

  const report = lines.join('\n')
  console.log(`\n${report}`)
  if (OUT !== '-') {
    writeFileSync(OUT, report)
    progress(`wrote ${OUT}`)
  }

  return 0
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`bench: ${(error as Error).stack ?? error}`)
    process.exit(1)
  },
)
