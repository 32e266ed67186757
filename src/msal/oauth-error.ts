import type {AuthorityError} from '../flows/contract.js'

/**
 * The fields of MSAL's AuthError/ServerError (and the network client's TransportError, one of
 * them) read by the core: duck-typed, so no MSAL import is needed on this path.
 */
export interface MsalLikeError {
  name?: string
  message?: string
  errorCode: string
  errorMessage?: string
  /** ServerError: the AADSTS number. */
  errorNo?: string
  correlationId?: string
  /** TransportError: what failed on the wire. */
  failure?: {detail: string}
}

/** An OAuth 2.0 error answer (RFC 6749 §5.2) as Entra sends it: a JSON body, or a redirect's query. */
export interface OAuthErrorAnswer {
  error: string
  error_description?: unknown
  error_codes?: unknown
  correlation_id?: unknown
}

/** MSAL's errors for a request it could not make as configured (no managed identity here, a bad authority). */
const CONFIGURATION_ERRORS = new Set(['ClientConfigurationError', 'ManagedIdentityError'])

export function isMsalLikeError(error: unknown): error is MsalLikeError {
  return typeof error === 'object' && error !== null && typeof (error as MsalLikeError).errorCode === 'string'
}

/**
 * The one parser of authority errors: an MSAL error (its code, AADSTS number, correlation id and
 * its folded "Error(s): … - Description: …" message), or an OAuth error answer. Undefined for
 * anything else: a bug, the core's or a flow's own typed error.
 */
export function parseAuthorityError(input: unknown): AuthorityError | undefined {
  if (isMsalLikeError(input)) return fromMsal(input)
  if (typeof input === 'object' && input !== null && !(input instanceof Error) && typeof (input as OAuthErrorAnswer).error === 'string') {
    return fromAnswer(input as OAuthErrorAnswer)
  }

  return undefined
}

function fromAnswer(answer: OAuthErrorAnswer): AuthorityError {
  const text = typeof answer.error_description === 'string' ? answer.error_description : ''
  const first = Array.isArray(answer.error_codes) ? answer.error_codes.find((code) => Number.isInteger(code)) : undefined
  const number = first === undefined ? aadsts(text) : String(first)
  return {
    code: number ? `AADSTS${number}` : undefined,
    correlationId: (typeof answer.correlation_id === 'string' && answer.correlation_id) || correlation(text),
    description: firstLine(text),
    error: answer.error,
    origin: 'authority',
    sentence: firstSentence(text),
  }
}

function fromMsal(e: MsalLikeError): AuthorityError {
  const text = e.errorMessage || e.message || ''
  const number = e.errorNo || aadsts(text)
  const network = e.errorCode === 'network_error' || e.failure !== undefined
  return {
    code: number ? `AADSTS${number}` : undefined,
    correlationId: e.correlationId || correlation(text),
    description: network && e.failure ? e.failure.detail : firstLine(unfolded(text)),
    // MSAL ends device-code polling on any answer but authorization_pending with
    // post_request_failed, the server's `error` as its message.
    error: e.errorCode === 'post_request_failed' && e.errorMessage?.trim() ? e.errorMessage.trim() : e.errorCode,
    origin: network ? 'network' : CONFIGURATION_ERRORS.has(e.name ?? '') ? 'configuration' : 'authority',
    sentence: firstSentence(text),
  }
}

function aadsts(text: string): string | undefined {
  return /AADSTS(\d+)/.exec(text)?.[1]
}

/** Entra's descriptions end with "Correlation ID: <guid>" (a line, or MSAL's " - " field). */
function correlation(text: string): string | undefined {
  return /Correlation ID:\s*([\da-f-]{36})/i.exec(text)?.[1]
}

/** MSAL folds an answer into "Error(s): … - Timestamp: … - Description: <text> - Trace ID: … - Correlation ID: …". */
function unfolded(text: string): string {
  return / - Description: (.*?)(?: - (?:Trace ID|Correlation ID|Timestamp):|$)/s.exec(text)?.[1] ?? text
}

/** "invalid_grant: AADSTS50076: Due to …\r\nTrace ID: …" → "Due to …". */
function firstLine(text: string): string {
  return text
    .split(/\r?\n/)[0]
    .replace(/^[a-z_]+:\s*/, '')
    .replace(/^AADSTS\d+:\s*/, '')
    .trim()
}

/**
 * MSAL's "Error(s): 7000215 - Timestamp: … - Description: AADSTS7000215: Invalid client secret
 * provided. Ensure… - Trace ID: …" or the server's "AADSTS7000215: Invalid client secret
 * provided. Ensure…\r\nTrace ID: …" → "Invalid client secret provided."
 */
export function firstSentence(message: string): string {
  const line = firstLine(unfolded(message))
  const end = line.search(/\.(\s|$)/)
  return (end > 0 ? line.slice(0, end + 1) : line).trim()
}
