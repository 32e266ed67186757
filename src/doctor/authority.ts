import {X509Certificate} from 'node:crypto'
import {readFile} from 'node:fs/promises'

import {parseAuthorityError} from '../msal/oauth-error.js'
import type {ResolvedSettings} from '../settings/resolve.js'
import {type CheckResult, fail, ok, warn} from './check.js'

/** The doctor waits this long for the authority; a person running it is waiting too. */
export const AUTHORITY_TIMEOUT_MS = 5000

/** Clocks further apart than this make Entra refuse assertions and tokens look expired or not yet valid. */
const SKEW_FAIL_S = 300
const SKEW_WARN_S = 60

export interface AuthorityProbeOptions {
  now?: () => number
  timeoutMs?: number
}

/**
 * The CA file and proxy in effect for the profile's authority, whether the authority answers
 * its OpenID configuration through them, and how far the local clock is from its `Date` header.
 * Only the authority the profile names is contacted, once, bounded by a timeout. The proxy is
 * resolved as every request resolves it (proxy-from-env reads process.env).
 */
export async function authorityChecks(settings: ResolvedSettings, env: NodeJS.ProcessEnv, options: AuthorityProbeOptions = {}): Promise<CheckResult[]> {
  const {authority} = settings
  const ca = await caCheck(settings.caFile, env)
  const proxy = await proxyCheck(authority, env)
  if (ca.status === 'fail') return [ca.result, proxy.result]
  return [ca.result, proxy.result, ...(await reachability(authority, ca.pem, env, options))]
}

async function caCheck(caFile: string | undefined, env: NodeJS.ProcessEnv): Promise<{status: CheckResult['status']; pem?: string; result: CheckResult}> {
  const name = 'CA file'
  const extra = env.NODE_EXTRA_CA_CERTS ? `; NODE_EXTRA_CA_CERTS=${env.NODE_EXTRA_CA_CERTS} also applies` : ''
  if (!caFile) {
    const result = ok(name, `none: the authority's certificate must chain to Node.js's built-in roots${extra}`)
    return {result, status: 'ok'}
  }

  const source = env.ENTRATOOL_CA_FILE ? 'ENTRATOOL_CA_FILE' : "the profile's --ca-file"
  let pem: string
  try {
    pem = await readFile(caFile, 'utf8')
  } catch (error) {
    const result = fail(name, `cannot read ${caFile} (${source}): ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, `point ${source} at a readable PEM file`)
    return {result, status: 'fail'}
  }

  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []
  const certs: X509Certificate[] = []
  for (const block of blocks) {
    try {
      certs.push(new X509Certificate(block))
    } catch {
      // Counted below as not a certificate.
    }
  }

  if (certs.length === 0) {
    const result = fail(name, `${caFile} (${source}) holds no PEM certificate`, `point ${source} at the PEM file of the CA that signed the authority's certificate`)
    return {result, status: 'fail'}
  }

  const expired = certs.filter((c) => new Date(c.validTo).getTime() < Date.now())
  const summary = `${caFile} (${source}): ${certs.length} certificate${certs.length === 1 ? '' : 's'}, added to Node.js's built-in roots${extra}`
  if (expired.length > 0) {
    const result = warn(name, `${summary}; expired: ${expired.map((c) => c.subject.replaceAll('\n', ', ')).join('; ')}`, `replace the expired certificate${expired.length === 1 ? '' : 's'} in ${caFile}`)
    return {pem, result, status: 'warn'}
  }

  return {pem, result: ok(name, summary), status: 'ok'}
}

async function proxyCheck(authority: string, env: NodeJS.ProcessEnv): Promise<{result: CheckResult}> {
  const name = 'proxy'
  const configured = env.HTTPS_PROXY || env.https_proxy || env.ALL_PROXY || env.all_proxy
  if (!configured) return {result: ok(name, `none: ${new URL(authority).host} is reached directly (no HTTPS_PROXY)`)}
  const {getProxyForUrl} = await import('proxy-from-env')
  const proxy = getProxyForUrl(authority)
  if (!proxy) return {result: ok(name, `direct: NO_PROXY matches ${new URL(authority).host} (HTTPS_PROXY=${redact(configured)} is not used for it)`)}
  return {result: ok(name, `${new URL(authority).host} is reached through ${redact(proxy)} (HTTPS_PROXY)`)}
}

async function reachability(authority: string, ca: string | undefined, env: NodeJS.ProcessEnv, options: AuthorityProbeOptions): Promise<CheckResult[]> {
  const now = options.now ?? Date.now
  const timeoutMs = options.timeoutMs ?? AUTHORITY_TIMEOUT_MS
  const url = `${authority}/v2.0/.well-known/openid-configuration`
  const {NetworkClient, proxyFromEnv, TransportError} = await import('../msal/network-client.js')
  const proxied = Boolean(env.HTTPS_PROXY || env.https_proxy || env.ALL_PROXY || env.all_proxy)
  const client = new NetworkClient({ca, proxyFor: proxied ? proxyFromEnv : undefined, timeoutMs})
  const started = now()
  let response: {headers: Record<string, string>; status: number; body: unknown}
  try {
    response = await client.sendGetRequestAsync(url)
  } catch (error) {
    if (!(error instanceof TransportError)) throw error
    const {detail, kind} = error.failure
    const fix =
      kind === 'trust'
        ? `set ENTRATOOL_CA_FILE (or the profile's --ca-file) to the PEM file of the CA that signed ${new URL(authority).host}'s certificate`
        : kind === 'malformed'
          ? `check that ${authority} is an Entra ID authority (an OpenID Connect issuer)`
          : `check the authority URL and your network${proxied ? ', and HTTPS_PROXY / NO_PROXY' : ' (set HTTPS_PROXY if you need a proxy)'}`
    return [fail('authority', `${authority}: ${kind === 'trust' ? 'cannot trust its certificate: ' : ''}${detail}`, fix)]
  }

  const finished = now()
  const elapsed = finished - started
  const results: CheckResult[] = []
  if (response.status === 200) {
    results.push(ok('authority', `${authority} answers (HTTP 200 in ${elapsed} ms)`))
  } else {
    const answer = parseAuthorityError(response.body)
    const reason = !answer ? `HTTP ${response.status}` : answer.description ? `${answer.code ? `${answer.code}: ` : ''}${answer.description}` : answer.error
    results.push(fail('authority', `${authority} answers HTTP ${response.status}: ${reason}`, 'check the tenant and authority of the profile (`entratool show-profile`)'))
  }

  results.push(clockCheck(response.headers.date, (started + finished) / 2, elapsed))
  return results
}

/** The authority's `Date` has one-second resolution: skew within that and half the round trip is no skew. */
export function clockCheck(dateHeader: string | undefined, localMs: number, roundTripMs: number): CheckResult {
  const name = 'clock'
  const remote = dateHeader ? Date.parse(dateHeader) : Number.NaN
  if (Number.isNaN(remote)) return warn(name, 'the authority sent no usable Date header, so the clocks cannot be compared', 'make sure this machine keeps its clock in sync (NTP)')
  // The header drops the milliseconds: the authority's time lies within the second after it.
  const skewMs = localMs - (remote + 500)
  const slack = 500 + roundTripMs / 2
  const seconds = Math.abs(skewMs) <= slack ? 0 : Math.round(Math.abs(skewMs) / 1000)
  if (seconds === 0) return ok(name, 'in step with the authority (its Date header)')
  const side = skewMs > 0 ? 'ahead of' : 'behind'
  const detail = `this machine's clock is ${formatSeconds(seconds)} ${side} the authority's`
  const fix = 'sync the clock: `sudo timedatectl set-ntp true` on Linux, automatic date & time on macOS and Windows'
  if (seconds > SKEW_FAIL_S) return fail(name, `${detail}: tokens will look expired or not yet valid, and signed assertions are refused`, fix)
  if (seconds > SKEW_WARN_S) return warn(name, detail, fix)
  return ok(name, detail)
}

function formatSeconds(s: number): string {
  if (s < 120) return `${s} s`
  if (s < 7200) return `${Math.round(s / 60)} min`
  return `${Math.round(s / 3600)} h`
}

/** A proxy URL without its password. */
function redact(proxy: string): string {
  try {
    const url = new URL(proxy)
    if (url.password) url.password = '***'
    return url.toString().replace(/\/$/, '')
  } catch {
    return proxy
  }
}
