import {EntraToolError, isEntraToolError} from '../errors.js'
import {type NetworkClient, TransportError, type TransportFailure} from './network-client.js'

/** The fields of MSAL's AuthError/ServerError read here (duck-typed: no MSAL import on this path). */
interface MsalLikeError {
  errorCode?: string
  errorMessage?: string
  subError?: string
  correlationId?: string
  message: string
}

export interface MapContext {
  profile: string
  flow: string
  network?: NetworkClient
}

/** What to do next for Entra error codes seen in the wild; `{p}` is the profile, `{f}` the flow. */
const NEXT_STEPS: Record<string, string> = {
  '50076': 'multi-factor authentication is now required; sign in again: `entratool get-token --profile {p} --force`',
  '50079': 'multi-factor authentication registration is required; sign in again: `entratool get-token --profile {p} --force`',
  '50126': 'the username or password is wrong; sign in again: `entratool get-token --profile {p} --force`',
  '50173': 'your sign-in was revoked (password change or admin action); run `entratool get-token --flow {f} --profile {p} --force`',
  '53003': 'Conditional Access blocked this sign-in; device code sign-in is often blocked: try `--flow interactive`',
  '530033': 'Conditional Access blocks this sign-in method; try `entratool get-token --flow interactive --profile {p}`',
  '65001': 'the app needs consent for these scopes; sign in interactively to consent: `entratool get-token --flow interactive --profile {p} --force`',
  '70011': 'a scope is invalid for this flow; check --scope (app flows need exactly one <resource>/.default)',
  '700016': 'the client id is not an app in this tenant; check --client-id and --tenant-id with `entratool show-profile --name {p}`',
  '700027': 'the certificate is not registered on the app; upload it to the app registration or update the profile with `entratool edit-profile --name {p} --certificate <path>`',
  '700082': 'your sign-in expired; run `entratool get-token --flow {f} --profile {p} --force`',
  '7000215': 'the client secret is wrong; update it with `entratool edit-profile --name {p} --client-secret-stdin`',
  '7000222': 'the client secret has expired; create a new one and store it with `entratool edit-profile --name {p} --client-secret-stdin`',
  '90002': 'the tenant does not exist in this cloud; check --tenant-id and --authority with `entratool show-profile --name {p}`',
  '1002012': 'the scope is invalid; app flows need exactly one <resource>/.default scope',
}

const CANCELLED = new Set(['user_cancelled', 'device_code_polling_cancelled'])

export function mapError(error: unknown, context: MapContext): EntraToolError | unknown {
  if (isEntraToolError(error)) return error
  if (error instanceof TransportError) return transportError(error.failure)
  const e = error as MsalLikeError
  if (typeof e?.errorCode !== 'string') return error

  if (CANCELLED.has(e.errorCode)) return new EntraToolError('interrupted', 'Cancelled.')
  if (e.errorCode === 'endpoints_resolution_error' || e.errorCode === 'network_error') {
    const failure = context.network?.lastFailure
    if (failure) return transportError(failure)
    const status = context.network?.lastStatus
    if (status && status.status >= 400 && status.status < 500) {
      return new EntraToolError('auth', `the authority refused its metadata request (HTTP ${status.status} from ${status.url})`, {next: `check the tenant and --authority with \`entratool show-profile --name ${context.profile}\``})
    }
  }

  const message = e.errorMessage || e.message
  const aadsts = /AADSTS(\d+)/.exec(message)?.[1]
  const status = context.network?.lastStatus?.status ?? 0
  const details = {cause: error, code: aadsts ? `AADSTS${aadsts}` : e.errorCode, correlationId: e.correlationId || undefined}
  const sentence = firstSentence(message) || e.errorCode
  if (status >= 500 || status === 429 || ['server_error', 'temporarily_unavailable'].includes(e.errorCode)) {
    return new EntraToolError('network', `the authority failed to answer (HTTP ${status || 'error'}): ${sentence}`, {...details, next: status === 429 ? 'the authority is throttling requests; wait a minute and try again' : 'try again in a moment; if it persists, check the service health of your tenant'})
  }

  const template = aadsts ? NEXT_STEPS[aadsts] : undefined
  const next = (template ?? (e.errorCode === 'invalid_grant' ? NEXT_STEPS['700082'] : undefined))?.replaceAll('{p}', context.profile).replaceAll('{f}', context.flow)
  return new EntraToolError('auth', sentence, {...details, next})
}

function transportError(failure: TransportFailure): EntraToolError {
  const next = {
    malformed: 'the authority or a proxy in between answered something that is not an OAuth response; check --authority and HTTPS_PROXY',
    timeout: 'check your network or proxy (HTTPS_PROXY, NO_PROXY) and try again',
    trust: 'if your network or authority uses a private CA, set ENTRATOOL_CA_FILE to a PEM file holding that CA certificate',
    unreachable: 'check the authority URL, your network, and HTTPS_PROXY / NO_PROXY',
  }[failure.kind]
  const message = failure.kind === 'trust' ? `cannot trust the authority's certificate: ${failure.detail}` : failure.detail
  return new EntraToolError('network', message, {next})
}

/**
 * MSAL's "Error(s): 7000215 - Timestamp: … - Description: AADSTS7000215: Invalid client secret
 * provided. Ensure… - Trace ID: …" or the server's "AADSTS7000215: Invalid client secret
 * provided. Ensure…\r\nTrace ID: …" → "Invalid client secret provided."
 */
export function firstSentence(message: string): string {
  const described = / - Description: (.*?)(?: - (?:Trace ID|Correlation ID|Timestamp):|$)/s.exec(message)?.[1] ?? message
  const line = described.split(/\r?\n/)[0].replace(/^[a-z_]+:\s*/, '').replace(/^AADSTS\d+:\s*/, '')
  const end = line.search(/\.(\s|$)/)
  return (end > 0 ? line.slice(0, end + 1) : line).trim()
}
