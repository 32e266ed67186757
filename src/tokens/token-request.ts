import {claimsFromWwwAuthenticate} from '../settings/claims-challenge.js'
import {decodeClaims} from '../settings/resolve.js'
import {nonInteractiveReason, type TokenFormat} from './render-token.js'
import type {TokenRequest} from './token-types.js'

/** get-token's parsed flags (token-flags.ts's table), as oclif and the pre-oclif parser both give them. */
export interface GetTokenFlagValues {
  authority?: string
  browser: boolean
  cae?: boolean
  claims?: string
  'client-id'?: string
  flow?: string
  force?: boolean
  'login-hint'?: string
  'min-validity': number
  output: string
  'paste-redirect'?: boolean
  port?: number
  'port-range'?: [number, number]
  profile?: string
  prompt?: string
  scope?: string[]
  'show-url'?: boolean
  silent?: boolean
  tenant?: string
  timeout?: number
  'www-authenticate'?: string
}

/** refresh's parsed flags: a subset of get-token's. */
export type RefreshFlagValues = Pick<GetTokenFlagValues, 'output' | 'profile' | 'scope' | 'silent'>

/**
 * The token service's request for a get-token call: one mapping, for the command run by oclif and
 * for the same command run without it (token-command.ts). `canPrompt`: a person is at the terminal.
 */
export function getTokenRequest(flags: GetTokenFlagValues, env: NodeJS.ProcessEnv, canPrompt: boolean): TokenRequest {
  const www = flags['www-authenticate']
  return {
    authority: flags.authority,
    canPrompt,
    cae: flags.cae,
    claims: www === undefined ? (flags.claims === undefined ? undefined : decodeClaims(flags.claims)) : claimsFromWwwAuthenticate(www),
    clientId: flags['client-id'],
    flow: flags.flow,
    force: flags.force,
    loginHint: flags['login-hint'],
    minValidityMs: flags['min-validity'],
    nonInteractive: nonInteractiveReason(flags.output as TokenFormat, env),
    noBrowser: !flags.browser,
    // The interactive flow's declared options, given for this call.
    options: {pasteRedirect: flags['paste-redirect'], port: flags.port, portRange: flags['port-range']},
    profile: flags.profile,
    prompt: flags.prompt as 'consent' | 'login' | 'select_account' | undefined,
    scope: flags.scope,
    showUrl: flags['show-url'],
    tenant: flags.tenant,
    timeoutMs: flags.timeout,
  }
}

/** The token service's request for a refresh call. */
export function refreshRequest(flags: RefreshFlagValues): TokenRequest {
  return {profile: flags.profile, refresh: true, scope: flags.scope}
}
