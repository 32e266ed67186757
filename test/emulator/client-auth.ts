import {createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTVerifyGetKey} from 'jose'
import {createPublicKey, type KeyObject} from 'node:crypto'

import {DEFAULT_TENANT_DOMAIN, DEFAULT_TENANT_ID, FEDERATED_AUDIENCE} from './constants.js'
import {EntraError, errors} from './errors.js'
import {decodeJwtPart, type SigningKey} from './jwt.js'
import type {AppRegistration, EmulatorState} from './state.js'
import type {ClientAuthLevel} from './tokens.js'

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'
const ASSERTION_ALGS = ['RS256', 'PS256']

export interface ClientAuthEnv {
  state: EmulatorState
  baseUrl: string
  /** The emulator's own external OIDC issuer, trusted without a network fetch. */
  oidcIssuer: {url: string; key: SigningKey}
}

export interface AuthenticatedClient {
  app: AppRegistration
  level: ClientAuthLevel
}

/** RFC 6749 §2.3: the secret may come in the body or as HTTP Basic credentials. */
function basicCredentials(header: string | undefined): {id: string; secret: string} | undefined {
  const match = /^Basic\s+(.+)$/i.exec(header ?? '')
  if (!match) return undefined
  const decoded = Buffer.from(match[1], 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  if (colon < 0) return undefined
  return {id: decodeURIComponent(decoded.slice(0, colon)), secret: decodeURIComponent(decoded.slice(colon + 1))}
}

export async function authenticateClient(
  params: URLSearchParams,
  authorization: string | undefined,
  env: ClientAuthEnv,
  pathTenant: string,
): Promise<AuthenticatedClient> {
  const basic = basicCredentials(authorization)
  const clientId = params.get('client_id') ?? basic?.id
  if (!clientId) throw errors.missingParameter('client_id')
  const app = env.state.app(clientId)
  if (!app) throw errors.unknownClient(clientId)
  const secret = params.get('client_secret') ?? basic?.secret
  const assertion = params.get('client_assertion')
  if (app.publicClient) {
    if (secret || assertion) throw errors.publicClientCredential()
    return {app, level: '0'}
  }
  if (secret) {
    if (!app.secrets.includes(secret)) throw errors.invalidSecret(app.clientId)
    return {app, level: '1'}
  }
  if (!assertion) throw errors.credentialRequired()
  if (params.get('client_assertion_type') !== JWT_BEARER) throw errors.missingParameter('client_assertion_type')
  const header = decodeJwtPart(assertion, 0)
  const payload = decodeJwtPart(assertion, 1)
  if (!header || !payload) throw errors.assertion(50027, 'JWT token is invalid or malformed.')
  const iss = typeof payload.iss === 'string' ? payload.iss : ''
  const federated = iss.toLowerCase() !== app.clientId && (app.federatedCredentials.some((c) => c.issuer === iss) || !(header.x5t || header['x5t#S256']))
  if (federated) await verifyFederated(assertion, payload, app, env)
  else await verifyCertificateAssertion(assertion, header, payload, app, env, pathTenant)
  return {app, level: '2'}
}

function audiences(payload: Record<string, unknown>): string[] {
  const aud = payload.aud
  return Array.isArray(aud) ? aud.filter((a): a is string => typeof a === 'string') : typeof aud === 'string' ? [aud] : []
}

async function verifySignature(token: string, key: KeyObject | JWTVerifyGetKey, badSignatureCode: number): Promise<void> {
  try {
    // Clock skew of 5 minutes, as Entra allows.
    await jwtVerify(token, key as KeyObject, {algorithms: ASSERTION_ALGS, clockTolerance: 300})
  } catch (err) {
    if (err instanceof joseErrors.JWTExpired || err instanceof joseErrors.JWTClaimValidationFailed) {
      throw errors.assertion(700024, `Client assertion is not within its valid time range. Current time: ${new Date().toISOString()}.`)
    }
    if (err instanceof EntraError) throw err
    if (err instanceof joseErrors.JOSEAlgNotAllowed) {
      throw errors.assertion(5002738, 'Invalid JWT token. The signature algorithm is not supported; use RS256 or PS256.')
    }
    throw errors.assertion(badSignatureCode, 'Client assertion failed signature validation.')
  }
}

async function verifyCertificateAssertion(
  assertion: string,
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  app: AppRegistration,
  env: ClientAuthEnv,
  pathTenant: string,
): Promise<void> {
  const s256 = typeof header['x5t#S256'] === 'string' ? header['x5t#S256'] : undefined
  const s1 = typeof header.x5t === 'string' ? header.x5t : undefined
  const cert = app.certificates.find((c) => (s256 && c.sha256 === s256) || (s1 && c.sha1 === s1))
  if (!cert) {
    throw errors.assertion(700027, `The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: '${s256 ?? s1 ?? ''}', Configured keys for app Id '${app.clientId}': ${app.certificates.length}.]`)
  }
  await verifySignature(assertion, cert.publicKey, 700027)
  if (typeof payload.exp !== 'number') throw errors.assertion(700024, 'Client assertion must contain an expiry (exp) claim.')
  if (String(payload.iss).toLowerCase() !== app.clientId || String(payload.sub).toLowerCase() !== app.clientId) {
    throw errors.assertion(700021, "Client assertion application identifier doesn't match 'client_id' parameter.")
  }
  const accepted = new Set<string>()
  for (const tenant of [DEFAULT_TENANT_ID, DEFAULT_TENANT_DOMAIN, pathTenant]) {
    for (const suffix of ['oauth2/v2.0/token', 'oauth2/token', 'v2.0']) accepted.add(`${env.baseUrl}/${tenant}/${suffix}`.toLowerCase())
  }
  if (!audiences(payload).some((a) => accepted.has(a.toLowerCase()))) {
    throw errors.assertion(700027, `Client assertion contains an invalid audience. Expected the token endpoint, e.g. '${env.baseUrl}/${DEFAULT_TENANT_ID}/oauth2/v2.0/token'.`)
  }
  const jti = typeof payload.jti === 'string' ? payload.jti : undefined
  if (jti) {
    const key = `${app.clientId}:${jti}`
    if (env.state.usedJtis.has(key)) throw errors.assertion(700027, 'Client assertion contains a jti that was already used; sign a new assertion for each request.')
    env.state.usedJtis.set(key, payload.exp * 1000 + 300_000)
  }
}

const remoteJwks = new Map<string, JWTVerifyGetKey>()

async function issuerKey(iss: string, env: ClientAuthEnv): Promise<KeyObject | JWTVerifyGetKey> {
  if (iss === env.oidcIssuer.url) return createPublicKey(env.oidcIssuer.key.privateKey)
  let url: URL
  try {
    url = new URL(iss)
  } catch {
    throw errors.assertion(50166, `Request to External OIDC endpoint failed: issuer '${iss}' is not a URL.`)
  }
  // The emulator never leaves the machine: only loopback issuers (test doubles) are fetched.
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) {
    throw errors.assertion(50166, `Request to External OIDC endpoint failed: the emulator only reaches loopback issuers, not '${url.host}'.`)
  }
  const cached = remoteJwks.get(iss)
  if (cached) return cached
  const response = await fetch(`${iss.replace(/\/$/, '')}/.well-known/openid-configuration`).catch(() => undefined)
  const config = response?.ok ? ((await response.json()) as {jwks_uri?: string}) : undefined
  if (!config?.jwks_uri) throw errors.assertion(50166, `Request to External OIDC endpoint failed: no discovery document at '${iss}'.`)
  const jwks = createRemoteJWKSet(new URL(config.jwks_uri))
  remoteJwks.set(iss, jwks)
  return jwks
}

async function verifyFederated(token: string, payload: Record<string, unknown>, app: AppRegistration, env: ClientAuthEnv): Promise<void> {
  const iss = String(payload.iss ?? '')
  const sub = String(payload.sub ?? '')
  const aud = audiences(payload)
  const byIssuer = app.federatedCredentials.filter((c) => c.issuer === iss)
  if (byIssuer.length === 0) {
    throw errors.assertion(700211, `No matching federated identity record found for presented assertion issuer '${iss}'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion.`)
  }
  await verifySignature(token, await issuerKey(iss, env), 50013)
  const bySubject = byIssuer.filter((c) => c.subject === sub)
  if (bySubject.length === 0) {
    throw errors.assertion(700213, `No matching federated identity record found for presented assertion subject '${sub}'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion.`)
  }
  if (!bySubject.some((c) => aud.includes(c.audience ?? FEDERATED_AUDIENCE))) {
    throw errors.assertion(70021, `No matching federated identity record found for presented assertion. Assertion Issuer: '${iss}'. Assertion Subject: '${sub}'. Assertion Audience: '${aud.join(',')}'.`)
  }
}
