import type {Flow, FlowContext, TokenResult} from 'entratool'

import {describeIdentity, parseIdentity, resourceOf} from './identity.js'
import {managedIdentityError} from './managed-identity-errors.js'

/** Where the core found the identity endpoint, in words (its source names are internal ids). */
const SOURCES: Record<string, string> = {
  AppService: 'App Service / Functions / Container Apps endpoint (IDENTITY_ENDPOINT)',
  AzureArc: 'Azure Arc agent',
  CloudShell: 'Cloud Shell endpoint (MSI_ENDPOINT)',
  DefaultToImds: 'instance metadata service (IMDS)',
  Imds: 'instance metadata service (IMDS)',
  MachineLearning: 'Azure Machine Learning endpoint (MSI_ENDPOINT)',
  ServiceFabric: 'Service Fabric endpoint (IDENTITY_ENDPOINT)',
}

/**
 * Azure managed identity through the core's managed identity client, which picks the endpoint from
 * the host's environment (App Service, Arc, Cloud Shell, Service Fabric, else IMDS). The core calls
 * a flow only when no cached token is good enough, so every request is a new one.
 */
const managedIdentityFlow: Flow = {
  async acquire(ctx: FlowContext): Promise<TokenResult> {
    const {errors, settings} = ctx
    const {problem: scopeProblem, resource} = resourceOf(settings.scopes)
    if (scopeProblem) throw errors.create('usage', scopeProblem, {next: 'pass one --scope <resource>/.default, e.g. --scope https://management.azure.com/.default'})
    const identity = parseIdentity(settings.options.managedIdentity as string | undefined, settings.clientId)
    if ('problem' in identity) throw errors.create('usage', identity.problem, {next: `set it with \`entratool edit-profile --name ${settings.profile} --managed-identity system\` (or a client id, object-id:<guid>, a resource id)`})

    const client = await ctx.tokens.managedIdentity(identity)
    const {source} = client
    ctx.ui.status(`Requesting a managed identity token (${describeIdentity(identity)}, ${SOURCES[source] ?? source})...`)
    try {
      const result = await untilAborted(ctx, client.acquire(resource!))
      ctx.ui.success('Token acquired')
      return result
    } catch (error) {
      throw managedIdentityError(error, {errors, identity, profile: settings.profile, source})
    }
  },
}

/** The managed identity request takes no abort signal: Ctrl+C must not wait for its retries. */
function untilAborted<T>(ctx: FlowContext, work: Promise<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(ctx.errors.create('interrupted', 'Interrupted.'))
    if (ctx.signal.aborted) return onAbort()
    ctx.signal.addEventListener('abort', onAbort, {once: true})
    work.then(resolve, reject).finally(() => ctx.signal.removeEventListener('abort', onAbort))
  })
}

export default managedIdentityFlow
