import type {TokenOutcome} from '../tokens/token-types.js'
import {type CredentialRequest, serializeCredential} from './credential-protocol.js'
import {type GitConfig} from './git-config.js'
import {isEntratoolHelper} from './helper-command.js'
import {isAzureReposHost, isConfiguredHost} from './hosts.js'

/**
 * Whether git's request may get a token: https only (a token never travels in clear), and a host
 * that is Azure Repos or was set up for entratool.
 */
export async function isOurRequest(request: CredentialRequest, gitConfig: GitConfig, executable: string): Promise<boolean> {
  const host = request.attributes.get('host') ?? ''
  if (request.attributes.get('protocol') !== 'https' || !host) return false
  // Azure Repos needs no look-up: spawning git config costs more than the rest of a cached answer.
  if (isAzureReposHost(host)) return true
  return isConfiguredHost(host, await gitConfig.scopedHelpers(), (helper) => isEntratoolHelper(helper, executable))
}

/** `get`'s answer for a token: Bearer when git 2.46+ can take it and the server offers it, else Basic. */
export function credentialAnswer(request: CredentialRequest, outcome: TokenOutcome): string {
  const {token} = outcome
  const expiry = String(Math.floor(token.expiresOn.getTime() / 1000))
  if (wantsBearer(request)) {
    // The capability line comes first: the values after it depend on it.
    return serializeCredential([
      ['capability[]', 'authtype'],
      ['authtype', 'Bearer'],
      ['credential', token.accessToken],
      ['ephemeral', 'true'],
      ['password_expiry_utc', expiry],
    ])
  }

  return serializeCredential([
    ['username', token.account?.username ?? outcome.profile],
    ['password', token.accessToken],
    ['password_expiry_utc', expiry],
  ])
}

/**
 * git 2.46+ announces `capability[]=authtype`: then the token goes as `Authorization: Bearer`,
 * unless the server's challenges (`wwwauth[]`, git 2.41+) offer no Bearer scheme.
 */
function wantsBearer(request: CredentialRequest): boolean {
  if (!(request.lists.get('capability') ?? []).includes('authtype')) return false
  const challenges = request.lists.get('wwwauth') ?? []
  return challenges.length === 0 || challenges.some((c) => /^\s*bearer\b/i.test(c))
}
