import type {FlowErrors, ManagedIdentitySelector} from 'entratool'

export interface MiErrorContext {
  errors: FlowErrors
  identity: ManagedIdentitySelector
  profile: string
  /** Where the endpoint was found: AppService, AzureArc, CloudShell, DefaultToImds, … */
  source: string
}

const NOT_AZURE =
  'no managed identity endpoint is set here (IDENTITY_ENDPOINT + IDENTITY_HEADER on App Service, Functions and Container Apps; IDENTITY_ENDPOINT + IMDS_ENDPOINT on Azure Arc; MSI_ENDPOINT in Cloud Shell) and the instance metadata service did not answer: run this on an Azure resource that has a managed identity'

/** Managed identity failures as one plain sentence, an exit code and what to do next. */
export function managedIdentityError(error: unknown, ctx: MiErrorContext): Error {
  const {errors, identity, profile, source} = ctx
  const answer = errors.parse(error)
  if (!answer) return error as Error
  if (answer.origin === 'network') {
    return errors.create('network', `cannot reach the managed identity endpoint: ${answer.description}`, {
      cause: error,
      next: source === 'DefaultToImds' ? NOT_AZURE : 'check that the identity service of this host is running (IDENTITY_ENDPOINT / MSI_ENDPOINT)',
    })
  }

  const details = {cause: error, code: answer.error || undefined, correlationId: answer.correlationId}
  if (answer.origin === 'configuration') {
    return errors.create('config', `the managed identity cannot be used here: ${answer.description || answer.error}`, {...details, next: `check the profile with \`entratool show-profile --name ${profile}\``})
  }

  const which = identity.kind === 'system' ? 'the system-assigned identity' : `the user-assigned identity ${identity.id}`
  return errors.create('auth', `the managed identity endpoint refused the request for ${which}: ${answer.description || answer.error}`, {
    ...details,
    next:
      identity.kind === 'system'
        ? 'enable the system-assigned identity on this resource, or name a user-assigned one with `--managed-identity <client id>`'
        : `check that this identity is assigned to the resource; for the system-assigned one: \`entratool edit-profile --name ${profile} --managed-identity system\``,
  })
}
