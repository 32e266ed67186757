import type {Flow, FlowContext, TokenResult} from 'entratool'

/**
 * Everything comes through the context: settings resolved by the core, the secret from secure
 * storage, token requests configured for the authority, trust and proxy, errors with exit codes.
 */
const clientSecretFlow: Flow = {
  async acquire(ctx: FlowContext): Promise<TokenResult> {
    const secret = await ctx.secrets.clientSecret()
    if (!secret) {
      throw ctx.errors.create('config', `profile '${ctx.settings.profile}' has no client secret`, {
        next: `store one with \`printf %s "$SECRET" | entratool edit-profile --name ${ctx.settings.profile} --client-secret-stdin\``,
      })
    }

    ctx.ui.status('Requesting an application token (example plugin)...')
    const result = await ctx.tokens.clientCredential({kind: 'secret', secret})
    ctx.ui.success('Token acquired')
    return result
  },
}

export default clientSecretFlow
