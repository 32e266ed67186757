import {EntraToolError, isEntraToolError} from '../errors.js'
import {type NetworkClient, type ServerErrorAnswer, TransportError, type TransportFailure} from './network-client.js'
import {isMsalLikeError, parseAuthorityError} from './oauth-error.js'
import {serverAnswerFor} from './server-error.js'

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
  '70043': 'a Conditional Access sign-in frequency policy ended your session; sign in again: `entratool get-token --flow {f} --profile {p} --force`',
  '70011': 'a scope is invalid for this flow; check --scope (app flows need exactly one <resource>/.default)',
  '700016': 'the client id is not an app in this tenant; check --client-id and --tenant-id with `entratool show-profile --name {p}`',
  '700027': 'the certificate is not registered on the app; upload it to the app registration or update the profile with `entratool edit-profile --name {p} --certificate <path>`',
  '700082': 'your sign-in expired; run `entratool get-token --flow {f} --profile {p} --force`',
  '7000215': 'the client secret is wrong; update it with `entratool edit-profile --name {p} --client-secret-stdin`',
  '7000222': 'the client secret has expired; create a new one and store it with `entratool edit-profile --name {p} --client-secret-stdin`',
  '90002': 'the tenant does not exist in this cloud; check --tenant-id and --authority with `entratool show-profile --name {p}`',
  '1002012': 'the scope is invalid; app flows need exactly one <resource>/.default scope',
}

/** Next steps that differ when the answer came while a device code was polled. */
const DEVICE_POLL_STEPS: Record<string, string> = {
  '53003': 'device code sign-in is blocked by policy: use `entratool get-token --profile {p} --flow interactive` (over SSH add `--paste-redirect`)',
  '530033': 'device code sign-in is blocked by policy: use `entratool get-token --profile {p} --flow interactive` (over SSH add `--paste-redirect`)',
  '65001': 'the app needs consent for these scopes; consent in the browser: `entratool get-token --profile {p} --flow interactive --force`',
}

/** Device-code outcomes that are the person's doing (declined, too slow): exit 5, not 4. */
const INTERACTION_CODES = new Set(['70000', '70019'])

const CANCELLED = new Set(['user_cancelled', 'device_code_polling_cancelled'])

/** The one mapping of authority errors (parsed by parseAuthorityError) to entratool's error kinds, with next steps. */
export function mapError(error: unknown, context: MapContext): EntraToolError | unknown {
  const answer = serverAnswerFor(error, context.network)
  if (isEntraToolError(error)) return answer ? withAnswer(error, answer, context) : error
  if (error instanceof TransportError) return transportError(error.failure)
  if (!isMsalLikeError(error)) return error
  if (answer?.devicePoll) return fromAnswer(answer, context, error)

  const {errorCode} = error
  if (CANCELLED.has(errorCode)) return new EntraToolError('interrupted', 'Cancelled.')
  if (errorCode === 'endpoints_resolution_error' || errorCode === 'network_error') {
    const failure = context.network?.lastFailure
    if (failure) return transportError(failure)
    const status = context.network?.lastStatus
    if (answer && answer.status >= 400 && answer.status < 500) {
      const code = aadstsNumber(answer)
      return new EntraToolError('auth', `the authority refused its metadata request: ${answer.sentence || answer.error} (HTTP ${answer.status} from ${answer.url})`, {
        code: answer.code ?? answer.error,
        correlationId: answer.correlationId,
        next: fill((code && NEXT_STEPS[code]) || 'check the tenant and --authority with `entratool show-profile --name {p}`', context),
      })
    }

    if (status && status.status >= 400 && status.status < 500) {
      return new EntraToolError('auth', `the authority refused its metadata request (HTTP ${status.status} from ${status.url})`, {next: `check the tenant and --authority with \`entratool show-profile --name ${context.profile}\``})
    }
  }

  const parsed = parseAuthorityError(error)!
  const aadsts = aadstsNumber(parsed)
  const status = context.network?.lastStatus?.status ?? 0
  const details = {cause: error, code: parsed.code ?? errorCode, correlationId: parsed.correlationId}
  const sentence = parsed.sentence || errorCode
  if (status >= 500 || status === 429 || ['server_error', 'temporarily_unavailable'].includes(errorCode)) {
    return new EntraToolError('network', `the authority failed to answer (HTTP ${status || 'error'}): ${sentence}`, {...details, next: status === 429 ? 'the authority is throttling requests; wait a minute and try again' : 'try again in a moment; if it persists, check the service health of your tenant'})
  }

  const template = aadsts ? NEXT_STEPS[aadsts] : undefined
  const next = (template ?? (errorCode === 'invalid_grant' ? NEXT_STEPS['700082'] : undefined))?.replaceAll('{p}', context.profile).replaceAll('{f}', context.flow)
  return new EntraToolError('auth', sentence, {...details, next})
}

function fill(template: string, context: MapContext, flow = context.flow): string {
  return template.replaceAll('{p}', context.profile).replaceAll('{f}', flow)
}

/** A device-code poll's error answer as one sentence, its code, correlation id and next step. */
function fromAnswer(answer: ServerErrorAnswer, context: MapContext, cause: unknown): EntraToolError {
  const number = aadstsNumber(answer)
  const sentence = answer.sentence || answer.error
  const details = {cause, code: answer.code ?? answer.error, correlationId: answer.correlationId}
  if (answer.status >= 500 || answer.status === 429) return new EntraToolError('network', `the authority failed to answer (HTTP ${answer.status}): ${sentence}`, {...details, next: 'try again in a moment'})
  const template = number ? (DEVICE_POLL_STEPS[number] ?? NEXT_STEPS[number]) : undefined
  const kind = number && INTERACTION_CODES.has(number) ? 'interaction' : 'auth'
  return new EntraToolError(kind, sentence, {...details, next: template ? fill(template, context, 'device-code') : `run the command again; if it repeats, look up ${details.code} with your administrator`})
}

/**
 * A flow's own error for a device-code poll (declined, expired) keeps its words; the answer adds
 * the code and correlation id, and a code with a known next step (Conditional Access, consent,
 * MFA) replaces it, since the flow could not see the code.
 */
function withAnswer(error: EntraToolError, answer: ServerErrorAnswer, context: MapContext): EntraToolError {
  const number = aadstsNumber(answer)
  if (answer.devicePoll && number && (DEVICE_POLL_STEPS[number] || NEXT_STEPS[number])) return fromAnswer(answer, context, error.cause)
  return new EntraToolError(error.kind, error.message, {
    cause: error.cause,
    code: error.code && error.code.startsWith('AADSTS') ? error.code : (answer.code ?? error.code),
    correlationId: error.correlationId ?? answer.correlationId,
    next: error.next,
  })
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

/** The number of an AADSTS code: the key of the next-step tables. */
function aadstsNumber(error: {code?: string}): string | undefined {
  return error.code?.slice('AADSTS'.length)
}
