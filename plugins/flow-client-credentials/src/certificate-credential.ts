import type {ClientCredential, FlowContext} from 'entratool'
import {createHash} from 'node:crypto'

import {signClientAssertion} from './assertion.js'
import {loadCertificate} from './certificate-file.js'

/**
 * A certificate credential: the core calls getAssertion for every token request, and each call signs
 * a new assertion (its own jti and times), which Entra's replay checks require.
 */
export async function certificateCredential(ctx: FlowContext): Promise<ClientCredential> {
  const {settings} = ctx
  const {chain, key, leaf} = await loadCertificate(ctx)
  const thumbprintSha256 = createHash('sha256').update(leaf.raw).digest('base64url')
  const x5c = settings.options.sendX5c === true ? chain.map((cert) => cert.raw.toString('base64')) : undefined
  ctx.ui.debug(`client certificate '${leaf.subject.replaceAll('\n', ', ')}', x5t#S256 ${thumbprintSha256}, valid until ${new Date(leaf.validTo).toISOString()}, ${x5c ? `x5c sent (${x5c.length} certificate(s))` : 'x5c not sent'}`)
  return {
    kind: 'assertion',
    async getAssertion(tokenEndpoint) {
      const audience = tokenEndpoint || `${settings.authority}/oauth2/v2.0/token`
      ctx.ui.debug(`signed a new client assertion for ${audience}`)
      return signClientAssertion({key, thumbprintSha256, x5c}, {audience, clientId: settings.clientId, now: ctx.clock.now()})
    },
  }
}
