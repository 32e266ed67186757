import type {Flow, FlowContext, TokenResult} from 'entratool'

/**
 * Everything comes through the context: settings resolved by the core, the secret from secure
 * storage, an MSAL client configured for the authority, trust and cache, errors with exit codes.
 */
const clientSecretFlow: Flow = {
  async acquire(ctx: FlowContext): Promise<TokenResult> {
    const secret = await ctx.secrets.clientSecret()
    if (!secret) {
      throw ctx.errors.create('config', `profile '${ctx.settings.profile}' has no client secret`, {
        next: `store one with \`printf %s "$SECRET" | entratool edit-profile --name ${ctx.settings.profile} --client-secret-stdin\``,
      })
    }

    const app = await ctx.msal.confidentialClient({kind: 'secret', secret})
    ctx.ui.status('Requesting an application token (example plugin)...')
    const result = await app.acquireTokenByClientCredential({scopes: ctx.settings.scopes, skipCache: true})
    if (!result) throw ctx.errors.create('auth', 'the authority returned no token')
    ctx.ui.success('Token acquired')
    return ctx.msal.toResult(result, 'application')
  },
}

export default clientSecretFlow
