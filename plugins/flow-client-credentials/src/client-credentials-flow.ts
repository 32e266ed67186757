import type {ClientCredential, Flow, FlowContext, TokenResult} from 'entratool'

import {appScope} from './app-scopes.js'

/** OAuth 2.0 client credentials: the app signs in as itself with a secret, a certificate or a federated token. */
const clientCredentialsFlow: Flow = {
  async acquire(ctx: FlowContext): Promise<TokenResult> {
    const {scope, problem} = appScope(ctx.settings.scopes)
    if (problem) throw ctx.errors.create('usage', problem, {next: `pass --scope <resource>/.default, e.g. --scope ${ctx.settings.scopes[0]?.replace(/\/[^/]*$/, '') || 'https://graph.microsoft.com'}/.default`})
    const credential = await pickCredential(ctx)
    ctx.ui.status('Requesting an application token...')
    const result = await ctx.tokens.clientCredential(credential, {scopes: [scope!]})
    ctx.ui.success('Token acquired')
    return result
  },
}

/** A certificate if the profile has one, else a federated token file, else a client secret. */
async function pickCredential(ctx: FlowContext): Promise<ClientCredential> {
  if (ctx.settings.options.certificatePath) return (await import('./certificate-credential.js')).certificateCredential(ctx)
  if (ctx.settings.options.federatedTokenFile) return (await import('./federated-credential.js')).federatedCredential(ctx)
  const secret = await ctx.secrets.clientSecret()
  if (secret) return {kind: 'secret', secret}
  const {oneOff, profile} = ctx.settings
  if (oneOff) {
    throw ctx.errors.create('config', 'no client credential for this one-off request: without a profile no stored secret is read, and neither ENTRATOOL_CLIENT_SECRET nor AZURE_CLIENT_SECRET is set', {
      next: 'set ENTRATOOL_CLIENT_SECRET, or store the app in a profile: `printf %s "$SECRET" | entratool create-profile --name <name> --flow client-credentials --client-secret-stdin …`',
    })
  }

  throw ctx.errors.create('config', `profile '${profile}' has no client credential: no stored client secret, and neither ENTRATOOL_CLIENT_SECRET nor AZURE_CLIENT_SECRET is set`, {
    next: `store a secret with \`printf %s "$SECRET" | entratool edit-profile --name ${profile} --client-secret-stdin\`, or use a certificate (--certificate) or a federated token file (--federated-token-file)`,
  })
}

export default clientCredentialsFlow
