import type {ClientCredential, FlowContext} from 'entratool'
import {readFile} from 'node:fs/promises'

/**
 * A federated credential (workload identity): the token in the file is the client assertion. The
 * platform rotates the file, so it is read again for every request, and checked once before any
 * network call so a missing or empty file is reported plainly.
 */
export async function federatedCredential(ctx: FlowContext): Promise<ClientCredential> {
  const file = ctx.settings.federatedTokenFile!
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
    token = (await readFile(file, 'utf8')).trim()
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw ctx.errors.create('config', `the federated token file ${file} ${code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? (error as Error).message})`}`, {next})
  }

  if (!token) throw ctx.errors.create('config', `the federated token file ${file} is empty`, {next})
  const expiresAt = expiry(token)
  if (expiresAt !== undefined && expiresAt * 1000 <= ctx.clock.now()) {
    throw ctx.errors.create('config', `the federated token in ${file} expired at ${new Date(expiresAt * 1000).toISOString()}`, {next: `${next}, and rotates it before it expires; check that it still does`})
  }

  return token
}

/** The JWT's exp, if it is a JWT with one; anything else is left for the authority to judge. */
function expiry(token: string): number | undefined {
  try {
    const {exp} = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as {exp?: unknown}
    return typeof exp === 'number' ? exp : undefined
  } catch {
    return undefined
  }
}
