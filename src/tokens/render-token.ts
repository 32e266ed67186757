import {readExecInfo} from '../lib/exec-info.js'
import {wallClock} from '../lib/time.js'
import type {TokenOutcome} from './token-types.js'

export const TOKEN_FORMATS = ['token', 'json', 'yaml', 'env', 'exec-credential', 'azure-cli', 'azd', 'msi'] as const
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

/**
 * Why a format forbids a sign-in, or undefined. kubectl says so in KUBERNETES_EXEC_INFO; the az,
 * azd and managed-identity shapes answer for programs that never wait for a person (az's
 * get-access-token and azd's auth token never sign in either), so a needed sign-in fails at once.
 */
export function nonInteractiveReason(format: TokenFormat, env: NodeJS.ProcessEnv): string | undefined {
  if (format === 'exec-credential') return readExecInfo(env).interactive === false ? 'KUBERNETES_EXEC_INFO spec.interactive is false' : undefined
  if (format === 'azure-cli' || format === 'azd' || format === 'msi') return `-o ${format} answers for programs that cannot wait for a sign-in`
  return undefined
}

/** Renders the payload for stdout. */
export async function renderToken(outcome: TokenOutcome, format: TokenFormat, env: NodeJS.ProcessEnv): Promise<string> {
  switch (format) {
    case 'azd': {
      return `${JSON.stringify(azdToken(outcome), null, 2)}\n`
    }

    case 'azure-cli': {
      return `${JSON.stringify(azureCliToken(outcome, env), null, 2)}\n`
    }

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

    case 'msi': {
      return `${JSON.stringify(msiToken(outcome), null, 2)}\n`
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

/**
 * What `az account get-access-token --output json` prints (keys in az's order). `expiresOn` is
 * az's local-time text; `expires_on` (az >= 2.54) is epoch seconds UTC, which current SDKs prefer.
 * `subscription` only when known: az's --subscription (the shim passes it) or AZURE_SUBSCRIPTION_ID.
 */
export function azureCliToken(outcome: TokenOutcome, env: NodeJS.ProcessEnv) {
  const expiresOn = Math.floor(outcome.token.expiresOn.getTime() / 1000)
  const subscription = env.AZURE_SUBSCRIPTION_ID || undefined
  return {
    accessToken: outcome.token.accessToken,
    expiresOn: azLocalTime(new Date(expiresOn * 1000)),
    expires_on: expiresOn,
    ...(subscription ? {subscription} : {}),
    tenant: outcome.token.tenantId,
    tokenType: 'Bearer',
  }
}

/** What `azd auth token --output json` prints: the token and an RFC 3339 UTC expiry. */
export function azdToken(outcome: TokenOutcome) {
  return {expiresOn: tokenDocument(outcome).expires_at, token: outcome.token.accessToken}
}

/**
 * The App Service managed-identity answer (api-version 2019-08-01): `expires_on` in epoch seconds,
 * `resource` is the first scope without `/.default`, `client_id` the app the token was issued to.
 */
export function msiToken(outcome: TokenOutcome) {
  const {token} = outcome
  const claims = tokenClaims(token.accessToken)
  const clientId = claims.appid ?? claims.azp
  return {
    access_token: token.accessToken,
    expires_on: Math.floor(token.expiresOn.getTime() / 1000),
    resource: scopeResource(token.scopes[0] ?? ''),
    token_type: 'Bearer',
    ...(typeof clientId === 'string' ? {client_id: clientId} : {}),
  }
}

/** `https://x/.default` → `https://x`; `api://x/Data.Read` → `api://x` (the resource a scope belongs to). */
export function scopeResource(scope: string): string {
  if (scope.endsWith('/.default')) return scope.slice(0, -'/.default'.length)
  const slash = scope.lastIndexOf('/')
  return slash > scope.indexOf('//') + 1 ? scope.slice(0, slash) : scope
}

/** The payload of a JWT, unverified (only to name the app in the msi answer); {} when not a JWT. */
function tokenClaims(accessToken: string): Record<string, unknown> {
  try {
    const claims = JSON.parse(Buffer.from(accessToken.split('.')[1] ?? '', 'base64url').toString('utf8'))
    return typeof claims === 'object' && claims !== null ? claims : {}
  } catch {
    return {}
  }
}

/** az's expiresOn: local time as Python's `str(datetime)` with microseconds, "2025-12-28 15:30:00.000000". */
export function azLocalTime(date: Date): string {
  return `${wallClock(date)}.${String(date.getMilliseconds() * 1000).padStart(6, '0')}`
}

export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", String.raw`'\''`)}'`
}
