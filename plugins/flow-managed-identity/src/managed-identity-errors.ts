import type {FlowErrors, ManagedIdentitySelector} from 'entratool'

interface MsalLikeError {
  errorCode?: string
  errorMessage?: string
  message: string
  name?: string
  correlationId?: string
  /** The core's network client says what failed on the wire (TransportError). */
  failure?: {detail: string}
}

export interface MiErrorContext {
  errors: FlowErrors
  identity: ManagedIdentitySelector
  profile: string
  /** MSAL's source name: AppService, AzureArc, CloudShell, DefaultToImds, … */
  source: string
}

const NOT_AZURE =
  'no managed identity endpoint is set here (IDENTITY_ENDPOINT + IDENTITY_HEADER on App Service, Functions and Container Apps; IDENTITY_ENDPOINT + IMDS_ENDPOINT on Azure Arc; MSI_ENDPOINT in Cloud Shell) and the instance metadata service did not answer: run this on an Azure resource that has a managed identity'

/** MSAL's managed identity failures as one plain sentence, an exit code and what to do next. */
export function managedIdentityError(error: unknown, ctx: MiErrorContext): Error {
  const e = error as MsalLikeError
  if (e?.name === 'EntraToolError' || typeof e?.errorCode !== 'string') return error as Error
  const {errors, identity, profile, source} = ctx
  if (e.errorCode === 'network_error') {
    return errors.create('network', `cannot reach the managed identity endpoint: ${e.failure?.detail ?? firstLine(e.errorMessage || e.message)}`, {
      cause: error,
      next: source === 'DefaultToImds' ? NOT_AZURE : 'check that the identity service of this host is running (IDENTITY_ENDPOINT / MSI_ENDPOINT)',
    })
  }

  const {correlationId, text} = describe(e)
  const details = {cause: error, code: e.errorCode || undefined, correlationId}
  if (e.name === 'ManagedIdentityError' || e.name === 'ClientConfigurationError') {
    return errors.create('config', `the managed identity cannot be used here: ${text || e.errorCode}`, {...details, next: `check the profile with \`entratool show-profile --name ${profile}\``})
  }

  const which = identity.kind === 'system' ? 'the system-assigned identity' : `the user-assigned identity ${identity.id}`
  return errors.create('auth', `the managed identity endpoint refused the request for ${which}: ${text || e.errorCode}`, {
    ...details,
    next:
      identity.kind === 'system'
        ? 'enable the system-assigned identity on this resource, or name a user-assigned one with `--managed-identity <client id>`'
        : `check that this identity is assigned to the resource; for the system-assigned one: \`entratool edit-profile --name ${profile} --managed-identity system\``,
  })
}

/**
 * MSAL folds an endpoint's error into "Error(s): … - Timestamp: … - Description: <text> -
 * Correlation ID: <id> - Trace ID: …"; keep the description and the correlation id.
 */
function describe(e: MsalLikeError): {correlationId?: string; text: string} {
  const message = e.errorMessage || e.message
  const description = / - Description: (.*?) - Correlation ID: /s.exec(message)?.[1]
  const correlation = / - Correlation ID: ([\da-f-]{36})/i.exec(message)?.[1]
  return {correlationId: e.correlationId || correlation, text: firstLine(description ?? message)}
}

function firstLine(message: string): string {
  return message.split(/\r?\n/)[0].replace(/^[a-z_]+:\s*/, '').trim()
}
