import {DEFAULT_TENANT_ID} from './constants.js'

/** An OAuth error as Entra reports it: the protocol error plus one AADSTS code. */
export class EntraError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly code: number | undefined,
    readonly text: string,
  ) {
    super(code === undefined ? text : `AADSTS${code}: ${text}`)
  }
}

export interface TraceContext {
  traceId: string
  correlationId: string
  baseUrl: string
}

export function entraTimestamp(date = new Date()): string {
  return date.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z')
}

export function errorBody(err: EntraError, trace: TraceContext): Record<string, unknown> {
  const timestamp = entraTimestamp()
  return {
    error: err.error,
    error_description: `${err.message}\r\nTrace ID: ${trace.traceId}\r\nCorrelation ID: ${trace.correlationId}\r\nTimestamp: ${timestamp}`,
    error_codes: err.code === undefined ? [] : [err.code],
    timestamp,
    trace_id: trace.traceId,
    correlation_id: trace.correlationId,
    ...(err.code === undefined ? {} : {error_uri: `${trace.baseUrl}/error?code=${err.code}`}),
  }
}

// Messages follow Entra's wording closely enough that a CLI's mapping of codes to advice can be tested.
export const errors = {
  invalidTenant: (tenant: string) =>
    new EntraError(400, 'invalid_tenant', 90002, `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`),
  missingParameter: (name: string) =>
    new EntraError(400, 'invalid_request', 900144, `The request body must contain the following parameter: '${name}'.`),
  postOnly: (method: string) =>
    new EntraError(400, 'invalid_request', 900561, `The endpoint only accepts POST, OPTIONS requests. Received a ${method} request.`),
  unknownClient: (clientId: string) =>
    new EntraError(400, 'unauthorized_client', 700016, `Application with identifier '${clientId}' was not found in the directory '${DEFAULT_TENANT_ID}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`),
  unsupportedGrant: (grant: string) =>
    new EntraError(400, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${grant}'.`),
  invalidSecret: (clientId: string) =>
    new EntraError(401, 'invalid_client', 7000215, `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`),
  credentialRequired: () =>
    new EntraError(401, 'invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'."),
  publicClientCredential: () =>
    new EntraError(401, 'invalid_client', 700025, "Client is public so neither 'client_assertion' nor 'client_secret' should be presented."),
  assertion: (code: number, text: string) => new EntraError(401, 'invalid_client', code, text),
  invalidScope: (code: number, text: string) => new EntraError(400, 'invalid_scope', code, text),
  invalidResource: (resource: string) =>
    new EntraError(400, 'invalid_resource', 500011, `The resource principal named ${resource} was not found in the tenant named ${DEFAULT_TENANT_ID}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`),
  invalidGrant: (code: number, text: string) => new EntraError(400, 'invalid_grant', code, text),
  malformed: (detail: string) => new EntraError(400, 'invalid_request', 9002313, `Invalid request. Request is malformed or invalid. ${detail}`.trim()),
  refreshExpired: (issuedAt?: Date) =>
    new EntraError(400, 'invalid_grant', 700082, issuedAt
      ? `The refresh token has expired due to inactivity. The token was issued on ${issuedAt.toISOString()} and was inactive for longer than its lifetime.`
      : 'The refresh token has expired due to inactivity. The token is unknown to this tenant or was revoked.'),
}
