import type {ErrorDetails, ErrorKind} from './flows/contract.js'

/** The exit-code table (README "Exit codes"). Scripts depend on these numbers. */
export const EXIT_CODES: Record<ErrorKind | 'internal' | 'ok', number> = {
  auth: 4,
  config: 3,
  interaction: 5,
  internal: 1,
  interrupted: 130,
  network: 7,
  ok: 0,
  storage: 6,
  usage: 2,
}

/**
 * The one error type entratool raises on purpose. Its kind decides the exit code; `next` tells
 * the person what to do; Entra's error code and correlation id are kept when there is one.
 */
export class EntraToolError extends Error {
  readonly code?: string
  readonly correlationId?: string
  readonly kind: ErrorKind
  readonly next?: string

  constructor(kind: ErrorKind, message: string, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : {cause: details.cause})
    this.name = 'EntraToolError'
    this.kind = kind
    this.next = details.next
    this.code = details.code
    this.correlationId = details.correlationId
  }

  get exitCode(): number {
    return EXIT_CODES[this.kind]
  }
}

export const usageError = (message: string, details?: ErrorDetails) => new EntraToolError('usage', message, details)
export const configError = (message: string, details?: ErrorDetails) => new EntraToolError('config', message, details)
export const storageError = (message: string, details?: ErrorDetails) => new EntraToolError('storage', message, details)

const KINDS = new Set<string>(Object.keys(EXIT_CODES))

/** Errors made by a plugin through ctx.errors come from another copy of this module: match by shape. */
export function isEntraToolError(error: unknown): error is EntraToolError {
  return (
    error instanceof EntraToolError ||
    (error instanceof Error && error.name === 'EntraToolError' && KINDS.has((error as EntraToolError).kind))
  )
}
