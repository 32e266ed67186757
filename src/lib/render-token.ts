import type {TokenOutcome} from '../flows/token-service.js'
import {readExecInfo} from './exec-info.js'

export const TOKEN_FORMATS = ['token', 'json', 'yaml', 'env', 'exec-credential'] as const
export type TokenFormat = (typeof TOKEN_FORMATS)[number]

/** The documented JSON shape (README "Output"). Never a refresh token, never a secret. */
export function tokenDocument(outcome: TokenOutcome, now = Date.now()) {
  const {token} = outcome
  const expiresOn = Math.floor(token.expiresOn.getTime() / 1000)
  return {
    access_token: token.accessToken,
    account: token.account ? {home_account_id: token.account.homeAccountId, username: token.account.username} : null,
    expires_at: new Date(expiresOn * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    expires_in: Math.max(0, expiresOn - Math.floor(now / 1000)),
    expires_on: expiresOn,
    flow: outcome.flow,
    from_cache: outcome.fromCache,
    profile: outcome.profile,
    scopes: token.scopes,
    tenant_id: token.tenantId,
    token_type: 'Bearer',
  }
}

/** Renders the payload for stdout. */
export async function renderToken(outcome: TokenOutcome, format: TokenFormat, env: NodeJS.ProcessEnv): Promise<string> {
  switch (format) {
    case 'env': {
      const doc = tokenDocument(outcome)
      return `export ENTRA_ACCESS_TOKEN=${shellQuote(doc.access_token)}\nexport ENTRA_TOKEN_EXPIRES_ON=${shellQuote(String(doc.expires_on))}\n`
    }

    case 'exec-credential': {
      return `${JSON.stringify(execCredential(outcome, env), null, 2)}\n`
    }

    case 'json': {
      return `${JSON.stringify(tokenDocument(outcome), null, 2)}\n`
    }

    case 'token': {
      return `${outcome.token.accessToken}\n`
    }

    case 'yaml': {
      const {stringify} = await import('yaml')
      return stringify(tokenDocument(outcome))
    }
  }
}

/**
 * kubectl's exec credential plugin answer; the API version follows KUBERNETES_EXEC_INFO when given.
 * expirationTimestamp tells kubectl when to call again instead of sending an expired token.
 */
export function execCredential(outcome: TokenOutcome, env: NodeJS.ProcessEnv) {
  return {
    apiVersion: readExecInfo(env).apiVersion,
    kind: 'ExecCredential',
    spec: {},
    status: {expirationTimestamp: tokenDocument(outcome).expires_at, token: outcome.token.accessToken},
  }
}

export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", String.raw`'\''`)}'`
}

/** "2025-12-28 15:30:00" in local time, as on the seed page. */
export function localTime(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
}
