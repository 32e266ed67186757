/**
 * The real Azure CLI's rows in `npm run bench`: `az account get-access-token` for a resource az holds
 * a token for (cached) and for a new resource each run (cold), in the same interleaved rounds as
 * entratool's rows, against the same emulator. The sign-in (bench/real-az.ts) is untimed and talks to
 * loopback only; where az is not installed there are no rows, and the note says so.
 */
import {createLocalJWKSet, type JWTVerifyGetKey, jwtVerify} from 'jose'
import {join} from 'node:path'

import {emulatorRequest} from '../test/emulator/http-client.js'
import {API_APP_ID_URI, CLIENT_SECRET, CONFIDENTIAL_CLIENT_ID, DEFAULT_TENANT_ID, type Emulator, type RequestLogEntry} from '../test/emulator/index.js'
import {expectOk, expectRequests, fail, JWT, type Scenario} from './checks.js'
import {type ProcResult, timeProcess} from './lib.js'
import {azVersion, findAz, INSTANCE_DISCOVERY, type RealAz, signInRealAz} from './real-az.js'

export interface AzSetup {
  bin: string
  real: RealAz
  /** `az <version>`. */
  version: string
  /** The token az holds for API_APP_ID_URI, which every cached run must print. */
  cachedToken: string
  keys: JWTVerifyGetKey
}

/** A new audience per cold run: the emulator issues tokens for any https:// resource, as Entra does for first-party ones. */
const coldResource = (n: number) => `https://bench-cold-${n}.entratool.test`
const COLD_SHOWN = coldResource(0).replace('0', '<n>')
const azArgs = (resource: string) => ['account', 'get-access-token', '--resource', resource, '--output', 'json']

/** An az run's stdout must be JSON whose accessToken the emulator signed for `resource`. */
async function expectAzToken(res: ProcResult, resource: string, keys: JWTVerifyGetKey): Promise<string> {
  expectOk(res)
  let token: unknown
  try {
    token = JSON.parse(res.stdout).accessToken
  } catch {
    fail(`stdout is not JSON: ${JSON.stringify(res.stdout.slice(0, 120))}`)
  }

  if (typeof token !== 'string' || !JWT.test(token)) fail(`accessToken is not a JWT: ${JSON.stringify(res.stdout.slice(0, 120))}`)
  try {
    // While measuring, the emulator's token lifetime (one setting for all) is a few seconds for the
    // refresh scenario's sake: what is checked here is signature and audience, not freshness.
    await jwtVerify(token, keys, {audience: resource, clockTolerance: 60})
  } catch (error) {
    fail(`accessToken does not verify for audience ${resource}: ${(error as Error).message}`)
  }

  return token
}

/**
 * MSAL-Python keeps discovery answers in az's HTTP cache for a day, so a run may make instance
 * discovery (the loopback stub) and OpenID discovery at most once each, and nothing else outside
 * the emulator's `expected` requests.
 */
function expectAzRequests(az: AzSetup, requests: RequestLogEntry[], expected: string[]): void {
  const {log} = az.real
  if (log.length > 1 || log.some((e) => e !== INSTANCE_DISCOVERY)) fail(`az reached [${log.join(', ')}] outside the emulator; at most one instance discovery is expected`)
  const discovery = requests.filter((r) => r.endpoint === 'openid-configuration')
  if (discovery.length > 1) fail(`az made ${discovery.length} OpenID discovery requests`)
  expectRequests(requests.filter((r) => !discovery.includes(r)), expected)
}

/**
 * Signs the real az in to the emulator (untimed, loopback only) and takes the token it then holds
 * for API_APP_ID_URI; call it while the emulator's tokens live an hour. Without az, or when it
 * cannot sign in, there is no AzSetup and `note` says why. Stoppers for the loopback helpers go to
 * `stops`.
 */
export async function setUpAz(emu: Emulator, home: string, stops: (() => Promise<void>)[], progress: (text: string) => void): Promise<{az?: AzSetup; note: string}> {
  const bin = findAz()
  if (!bin) return {note: 'No Azure CLI is installed on this machine (CI machines have none): no az rows and no az targets in this run.'}
  progress(`signing ${bin} in to the emulator (loopback only)`)
  try {
    const real = await signInRealAz(emu, join(home, 'real-az'), CONFIDENTIAL_CLIENT_ID, CLIENT_SECRET, DEFAULT_TENANT_ID, API_APP_ID_URI)
    stops.push(real.stop)
    const keys = createLocalJWKSet((await emulatorRequest(emu, 'GET', `/${DEFAULT_TENANT_ID}/discovery/v2.0/keys`)).json() as never)
    const res = await timeProcess(bin, azArgs(API_APP_ID_URI), {env: real.env, timeoutMs: 120_000})
    const cachedToken = await expectAzToken(res, API_APP_ID_URI, keys)
    return {az: {bin, cachedToken, keys, real, version: azVersion(real.env)}, note: ''}
  } catch (error) {
    return {note: `The Azure CLI at ${bin} could not be signed in to the emulator (${(error as Error).message.split('\n')[0]}): no az rows and no az targets in this run.`}
  }
}

/** The two az scenarios, ids `az-cached` and `az-cold`. */
export function azScenarios(az: AzSetup): Scenario[] {
  let coldRun = 0
  const base = (resource: () => string) => ({
    helperLog: az.real.log,
    invocation: () => ({args: azArgs(resource()), command: az.bin, env: az.real.env}),
    kind: 'ms' as const,
    samples: [],
  })
  return [
    {
      ...base(() => API_APP_ID_URI),
      async check(res, requests) {
        if ((await expectAzToken(res, API_APP_ID_URI, az.keys)) !== az.cachedToken) fail('accessToken is a different token from the one az holds')
        expectAzRequests(az, requests, [])
      },
      id: 'az-cached',
      label: `${az.version} get-access-token, cached`,
      shown: `az account get-access-token --resource ${API_APP_ID_URI}`,
    },
    {
      ...base(() => coldResource(coldRun)),
      async check(res, requests) {
        await expectAzToken(res, coldResource(coldRun), az.keys)
        expectAzRequests(az, requests, ['token(client_credentials)'])
      },
      id: 'az-cold',
      label: `${az.version} get-access-token, cold`,
      async prepare() {
        coldRun++
      },
      shown: `az account get-access-token --resource ${COLD_SHOWN}  (a new resource each run)`,
    },
  ]
}

/** BENCHMARKS.md's description of the az rows (also where there are none). */
export function azMethodLines(az: AzSetup | undefined, runs: number): string[] {
  return [
    `- **az cached / az cold** (only where the Azure CLI is installed${az ? `; here ${az.version} at \`${az.bin}\`` : ''}): before measuring, untimed, the real az is signed in to the emulator as the confidential client's service principal, in its own \`AZURE_CONFIG_DIR\` and \`HOME\` in the sandbox (\`az cloud register\` with the emulator as Active Directory endpoint, \`az login --service-principal --allow-no-subscriptions\`; a stand-in ARM on 127.0.0.1 answers the subscription listing with an empty list). MSAL-Python asks \`https://login.microsoftonline.com/common/discovery/instance\` about an authority it does not know: az runs with \`HTTPS_PROXY\` set to a CONNECT proxy on 127.0.0.1 that accepts only \`login.microsoftonline.com:443\` and answers it itself (a certificate from a throw-away CA given to az in \`REQUESTS_CA_BUNDLE\`), pointing MSAL at the emulator's tenant; every other CONNECT is refused, and \`NO_PROXY\` sends az's requests for 127.0.0.1 straight to the emulator, so nothing leaves the machine. What reaches the stub is logged and checked with the emulator's log: per run at most one instance discovery and one OpenID discovery (MSAL-Python keeps both in az's HTTP cache, \`msal_http_cache.bin\`, for a day), nothing else. Each run must exit 0 and print JSON whose \`accessToken\` verifies against the emulator's signing keys for the resource asked for.`,
    `  - **cached**: \`--resource ${API_APP_ID_URI}\`, whose token az got at sign-in (1 h lifetime): the accessToken must be that token, and the run makes no request.`,
    `  - **cold**: \`--resource ${COLD_SHOWN}\`, a new resource each run (the emulator, like Entra, issues tokens for any https resource), so az is signed in with warm caches but holds no token for it — the state of entratool's cold profile after clear-cache; one client-credentials token request. Each cold run leaves one more access token in az's token cache (${runs} over the whole run), which the cached runs read.`,
  ]
}
