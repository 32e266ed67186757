import type {ClientCredential, FlowContext} from 'entratool'

import {FileRefused, readCredentialFile} from './bounded-file.js'

/** A JWT in compact form: what a platform's federated token file holds, and nothing else is sent. */
const JWT = /^[\w-]+\.[\w-]+\.[\w-]+$/

/**
 * A federated credential (workload identity): the token in the file is the client assertion. The
 * platform rotates the file, so it is read again for every request, and checked once before any
 * network call so a missing or empty file is reported plainly.
 */
export async function federatedCredential(ctx: FlowContext): Promise<ClientCredential> {
  const file = ctx.settings.options.federatedTokenFile as string
  await readToken(ctx, file)
  return {
    kind: 'assertion',
    async getAssertion() {
      ctx.ui.debug(`read the federated token from ${file}`)
      return readToken(ctx, file)
    },
  }
}

async function readToken(ctx: FlowContext, file: string): Promise<string> {
  const next = `check the federated token file of profile '${ctx.settings.profile}' (\`entratool edit-profile --name ${ctx.settings.profile} --federated-token-file <path>\`) or AZURE_FEDERATED_TOKEN_FILE; the platform (e.g. AKS workload identity) writes it`
  let token: string
  try {
    token = (await readCredentialFile(file)).toString('utf8').trim()
  } catch (error) {
    if (!(error instanceof FileRefused)) throw error
    throw ctx.errors.create('config', `the federated token file ${file} ${error.reason}`, {next})
  }

  if (!token) throw ctx.errors.create('config', `the federated token file ${file} is empty`, {next})
  // The file's content becomes client_assertion: a profile pointing at ~/.ssh/id_rsa must not send it.
  if (!JWT.test(token) || decodedPayload(token) === undefined) {
    throw ctx.errors.create('config', `the federated token file ${file} does not hold a JWT; its content was not sent`, {next})
  }

  const expiresAt = expiry(token)
  if (expiresAt !== undefined && expiresAt * 1000 <= ctx.clock.now()) {
    throw ctx.errors.create('config', `the federated token in ${file} expired at ${ctx.ui.localTime(new Date(expiresAt * 1000))}`, {next: `${next}, and rotates it before it expires; check that it still does`})
  }

  return token
}

/** The JWT's exp, if it has one; the rest is left for the authority to judge. */
function expiry(token: string): number | undefined {
  const exp = decodedPayload(token)?.exp
  return typeof exp === 'number' ? exp : undefined
}

function decodedPayload(token: string): Record<string, unknown> | undefined {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as unknown
    return typeof payload === 'object' && payload !== null && !Array.isArray(payload) ? (payload as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}
