/**
 * What a benchmark scenario is, and the checks every run passes before its time counts: exit
 * status, output, and the exact requests it caused (from the emulator's log, plus what reached the
 * real az's loopback helpers). A failed check throws CheckFailed.
 */
import type {RequestLogEntry} from '../test/emulator/index.js'
import type {ProcResult} from './lib.js'

export const JWT = /^eyJ[\w-]+\.eyJ[\w-]+\.[\w-]*$/

export interface Invocation {
  command: string
  args: string[]
  env: Record<string, string>
  /** Written to stdin. */
  input?: string
}

export interface Scenario {
  id: string
  label: string
  /** What runs, as a person would type it. */
  shown: string
  kind: 'ms' | 'rss'
  invocation: () => Invocation
  /** Untimed work before each run (e.g. clearing the cache); the request log is cleared after it. */
  prepare?: () => Promise<void>
  /** Throws when the run did not do what the scenario claims. */
  check: (res: ProcResult, requests: RequestLogEntry[]) => Promise<void> | void
  samples: number[]
  /** Every distinct request sequence seen in measured runs, with its count. */
  observed?: Map<string, number>
  failure?: string
  rssFile?: string
  /** Requests that reached the loopback helpers instead of the emulator (the real az's); cleared with the emulator's log. */
  helperLog?: string[]
}

export class CheckFailed extends Error {}

export function fail(message: string): never {
  throw new CheckFailed(message)
}

export function describeRequest(r: RequestLogEntry): string {
  if (r.endpoint === 'token') return `token(${(r.grantType ?? '?').replace('urn:ietf:params:oauth:grant-type:', '')})`
  if (r.endpoint === 'authorize') return `authorize ${r.method}`
  return r.endpoint
}

/**
 * The run's token/device-code/authorize requests must be exactly `expected` (as a multiset), each
 * answered with success. Besides those, only OpenID discovery (`openid-configuration`, at most once:
 * MSAL fetches the authority's metadata in each process that uses it) is allowed, and is reported.
 */
export function expectRequests(requests: RequestLogEntry[], expected: string[]): void {
  const seen = requests.map(describeRequest)
  const core = seen.filter((r) => r !== 'openid-configuration').sort()
  if (core.join(', ') !== [...expected].sort().join(', ')) fail(`expected emulator requests [${expected.join(', ')}], saw [${seen.join(', ')}]`)
  const discovery = seen.length - core.length
  if (discovery > 1 || (discovery === 1 && expected.length === 0)) fail(`unexpected discovery requests: [${seen.join(', ')}]`)
  // A device-code poll answered authorization_pending is a 400 by design; the last poll must succeed.
  const polls = requests.filter((r) => describeRequest(r) === 'token(device_code)')
  const bad = requests.filter((r) => !(r.status >= 200 && r.status < 400) && !(r.status === 400 && polls.includes(r) && r !== polls.at(-1)))
  if (bad.length > 0) fail(`emulator answered ${bad.map((r) => `${describeRequest(r)} → ${r.status}`).join(', ')}`)
}

/** How a run's requests are shown in the table: the loopback helpers' first, then the emulator's in log order. */
export function requestSignature(requests: RequestLogEntry[], helperLog: string[] = []): string {
  const all = [...helperLog, ...requests.map(describeRequest)]
  return all.length === 0 ? 'none' : all.join(', ')
}

export function expectOk(res: ProcResult): void {
  if (res.code !== 0) fail(`exit ${res.code ?? res.signal}; stderr: ${res.stderr.trim().slice(0, 600)}`)
}

export function expectToken(res: ProcResult, expected?: string): string {
  expectOk(res)
  const token = res.stdout.trim()
  if (!JWT.test(token)) fail(`stdout is not a JWT: ${JSON.stringify(res.stdout.slice(0, 120))}`)
  if (expected !== undefined && token !== expected) fail('stdout is a different token from the cached one')
  return token
}

export function expectMatch(text: string, pattern: RegExp, what: string): void {
  if (!pattern.test(text)) fail(`${what} does not match ${pattern}: ${JSON.stringify(text.slice(0, 400))}`)
}
