import {ConfidentialClientApplication, CryptoProvider, PublicClientApplication, type Configuration} from '@azure/msal-node'
import {createLocalJWKSet, decodeJwt, jwtVerify, type JWTPayload} from 'jose'
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {randomUUID} from 'node:crypto'
import {existsSync} from 'node:fs'
import {connect} from 'node:tls'

import {emulatorRequest} from './emulator/http-client.js'
import {
  API_APP_ID_URI,
  CLIENT_SECRET,
  CONFIDENTIAL_CLIENT_ID,
  DEFAULT_TENANT_DOMAIN,
  DEFAULT_TENANT_ID,
  DEFAULT_USER,
  PUBLIC_CLIENT_ID,
  startEmulator,
  type Emulator,
} from './emulator/index.js'
import {emulatorNetworkClient} from './emulator/msal-network.js'
import {createTestCertificate} from './emulator/test-certificate.js'

const REDIRECT = 'http://localhost:53117/'
const TOKEN_PATH = `/${DEFAULT_TENANT_ID}/oauth2/v2.0/token`

interface MsalFailure {
  errorCode: string
  errorMessage: string
  errorNo?: string | number
}

async function rejection(promise: Promise<unknown>): Promise<MsalFailure> {
  try {
    await promise
  } catch (err) {
    return err as MsalFailure
  }
  return assert.fail('expected a rejection')
}

describe('Entra ID emulator', function () {
  let emu: Emulator

  before(async () => {
    emu = await startEmulator()
  })
  after(async () => {
    await emu?.stop()
  })
  beforeEach(() => emu.control.reset())

  function config(auth: Configuration['auth'], tenant?: string): Configuration {
    return {
      auth: {authority: emu.authority(tenant), knownAuthorities: [emu.host], ...auth},
      system: {networkClient: emulatorNetworkClient(emu.caPem)},
    }
  }
  const publicApp = () => new PublicClientApplication(config({clientId: PUBLIC_CLIENT_ID}))

  async function verified(token: string, audience: string): Promise<JWTPayload> {
    const keys = (await emulatorRequest(emu, 'GET', `/${DEFAULT_TENANT_ID}/discovery/v2.0/keys`)).json<{keys: []}>()
    const {payload} = await jwtVerify(token, createLocalJWKSet(keys), {issuer: `${emu.url}/${DEFAULT_TENANT_ID}/v2.0`, audience})
    return payload
  }

  const grants = () => emu.control.requests().filter((r) => r.endpoint === 'token').map((r) => `${r.grantType}:${r.status}`)

  describe('discovery', () => {
    it('serves OIDC metadata with Entra issuer forms for each tenant alias', async () => {
      for (const tenant of [DEFAULT_TENANT_ID, DEFAULT_TENANT_DOMAIN]) {
        const doc = (await emulatorRequest(emu, 'GET', `/${tenant}/v2.0/.well-known/openid-configuration`)).json()
        assert.equal(doc.issuer, `${emu.url}/${DEFAULT_TENANT_ID}/v2.0`)
        assert.equal(doc.token_endpoint, `${emu.url}/${DEFAULT_TENANT_ID}/oauth2/v2.0/token`)
        assert.equal(doc.device_authorization_endpoint, `${emu.url}/${DEFAULT_TENANT_ID}/oauth2/v2.0/devicecode`)
        assert.deepEqual(doc.response_modes_supported, ['query', 'fragment', 'form_post'])
      }
      const common = (await emulatorRequest(emu, 'GET', '/common/v2.0/.well-known/openid-configuration')).json()
      assert.equal(common.issuer, `${emu.url}/{tenantid}/v2.0`)
      assert.equal(common.authorization_endpoint, `${emu.url}/common/oauth2/v2.0/authorize`)
      const instance = (await emulatorRequest(emu, 'GET', '/common/discovery/instance?api-version=1.1')).json<{metadata: {preferred_network: string}[]}>()
      assert.equal(instance.metadata[0].preferred_network, emu.host)
    })

    it('rejects an unknown tenant in Entra error shape, echoing client-request-id', async () => {
      const id = randomUUID()
      const res = await emulatorRequest(emu, 'GET', '/fabrikam.test/v2.0/.well-known/openid-configuration', {headers: {'client-request-id': id}})
      const body = res.json()
      assert.equal(res.status, 400)
      assert.equal(body.error, 'invalid_tenant')
      assert.deepEqual(body.error_codes, [90002])
      assert.equal(body.correlation_id, id)
      assert.equal(res.headers['client-request-id'], id)
      assert.equal(res.headers['x-ms-request-id'], body.trace_id)
      assert.match(String(body.error_description), /^AADSTS90002: .+\r\nTrace ID: [-0-9a-f]+\r\nCorrelation ID: [-0-9a-f]+\r\nTimestamp: \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/)
    })
  })

  describe('client credentials through MSAL', () => {
    it('issues an app token for a client secret, verifiable against the JWKS', async () => {
      const cca = new ConfidentialClientApplication(config({clientId: CONFIDENTIAL_CLIENT_ID, clientSecret: CLIENT_SECRET}, DEFAULT_TENANT_DOMAIN))
      const result = await cca.acquireTokenByClientCredential({scopes: [`${API_APP_ID_URI}/.default`]})
      const claims = await verified(result!.accessToken, API_APP_ID_URI)
      assert.equal(claims.tid, DEFAULT_TENANT_ID)
      assert.equal(claims.azp, CONFIDENTIAL_CLIENT_ID)
      assert.equal(claims.idtyp, 'app')
      assert.deepEqual(claims.roles, ['Data.Read.All'])
      assert.equal(claims.scp, undefined)
      assert.deepEqual(grants(), ['client_credentials:200'])
    })

    it('rejects a wrong secret with AADSTS7000215 and a bad scope with AADSTS1002012', async () => {
      const cca = new ConfidentialClientApplication(config({clientId: CONFIDENTIAL_CLIENT_ID, clientSecret: 'wrong'}))
      const err = await rejection(cca.acquireTokenByClientCredential({scopes: [`${API_APP_ID_URI}/.default`]}))
      assert.equal(err.errorCode, 'invalid_client')
      assert.equal(String(err.errorNo), '7000215')
      const res = await emulatorRequest(emu, 'POST', TOKEN_PATH, {
        form: {grant_type: 'client_credentials', client_id: CONFIDENTIAL_CLIENT_ID, client_secret: CLIENT_SECRET, scope: `${API_APP_ID_URI}/Data.Read`},
      })
      assert.equal(res.status, 400)
      assert.deepEqual(res.json().error_codes, [1002012])
    })

    it('accepts a certificate assertion once and rejects its replay and unknown certificates', async () => {
      const cert = createTestCertificate()
      const clientId = randomUUID()
      emu.control.registerApp({clientId, certificates: [cert.certPem], roles: ['Data.Write.All']})
      const cca = new ConfidentialClientApplication(config({clientId, clientCertificate: {thumbprintSha256: cert.thumbprintSha256, privateKey: cert.keyPem}}))
      const result = await cca.acquireTokenByClientCredential({scopes: ['https://graph.microsoft.com/.default']})
      const claims = await verified(result!.accessToken, 'https://graph.microsoft.com')
      assert.deepEqual(claims.roles, ['Data.Write.All'])
      assert.equal(claims.azpacr, '2')
      // MSAL reuses one signed assertion (same jti) for ten minutes: the emulator refuses the replay.
      const replay = await rejection(cca.acquireTokenByClientCredential({scopes: ['https://graph.microsoft.com/.default'], skipCache: true}))
      assert.equal(String(replay.errorNo), '700027')
      const other = createTestCertificate()
      const stranger = new ConfidentialClientApplication(config({clientId, clientCertificate: {thumbprintSha256: other.thumbprintSha256, privateKey: other.keyPem}}))
      const unknown = await rejection(stranger.acquireTokenByClientCredential({scopes: ['https://graph.microsoft.com/.default']}))
      assert.equal(String(unknown.errorNo), '700027')
      assert.match(unknown.errorMessage, /not registered on application/)
    })

    it('accepts a federated assertion from a matching issuer/subject/audience only', async () => {
      const clientId = randomUUID()
      const subject = 'system:serviceaccount:demo:runner'
      emu.control.registerApp({clientId, federatedCredentials: [{issuer: `${emu.url}/_emulator/oidc`, subject}]})
      const app = (assertion: string) => new ConfidentialClientApplication(config({clientId, clientAssertion: () => Promise.resolve(assertion)}))
      const request = {scopes: [`${API_APP_ID_URI}/.default`]}
      const result = await app(emu.control.mintFederatedToken({subject})).acquireTokenByClientCredential(request)
      assert.equal((await verified(result!.accessToken, API_APP_ID_URI)).appid, clientId)
      const wrongSubject = await rejection(app(emu.control.mintFederatedToken({subject: 'repo:x'})).acquireTokenByClientCredential(request))
      assert.equal(String(wrongSubject.errorNo), '700213')
      const wrongAudience = await rejection(app(emu.control.mintFederatedToken({subject, audience: 'api://other'})).acquireTokenByClientCredential(request))
      assert.equal(String(wrongAudience.errorNo), '70021')
    })
  })

  describe('authorization code + PKCE through MSAL', () => {
    async function authUrl(extra: {responseMode?: 'form_post'} = {}) {
      const pkce = await new CryptoProvider().generatePkceCodes()
      const url = await publicApp().getAuthCodeUrl({
        scopes: [`${API_APP_ID_URI}/Data.Read`],
        redirectUri: REDIRECT,
        codeChallenge: pkce.challenge,
        codeChallengeMethod: 'S256',
        state: 'state-123',
        nonce: 'nonce-456',
        loginHint: DEFAULT_USER.username,
        ...extra,
      })
      return {url, verifier: pkce.verifier}
    }
    const signIn = (url: string, password = DEFAULT_USER.password) =>
      emulatorRequest(emu, 'POST', url, {form: {username: DEFAULT_USER.username, password}})

    it('signs in by script, redeems the code once, refreshes across resources, then honours expiry', async () => {
      const {url, verifier} = await authUrl()
      const page = await emulatorRequest(emu, 'GET', url)
      assert.equal(page.status, 200)
      for (const id of ['username', 'password', 'signin', 'cancel']) assert.match(page.text, new RegExp(`id="${id}"`))
      assert.match(page.text, new RegExp(`value="${DEFAULT_USER.username}"`))
      const done = await signIn(url)
      assert.equal(done.status, 302)
      const location = new URL(String(done.headers.location))
      assert.equal(location.origin + location.pathname, REDIRECT)
      assert.equal(location.searchParams.get('state'), 'state-123')
      const code = location.searchParams.get('code')!

      const pca = publicApp()
      // MSAL 7 rejects an ID token nonce (nonce_mismatch) unless the same nonce is given here too.
      const result = await pca.acquireTokenByCode({code, redirectUri: REDIRECT, scopes: [`${API_APP_ID_URI}/Data.Read`], codeVerifier: verifier, nonce: 'nonce-456'})
      const claims = await verified(result.accessToken, API_APP_ID_URI)
      assert.equal(claims.scp, 'Data.Read')
      assert.equal(claims.oid, DEFAULT_USER.oid)
      assert.equal(result.account?.username, DEFAULT_USER.username)
      const idClaims = result.idTokenClaims as {nonce?: string; aud?: string}
      assert.deepEqual([idClaims.nonce, idClaims.aud], ['nonce-456', PUBLIC_CLIENT_ID])
      assert.equal(result.account?.homeAccountId, `${DEFAULT_USER.oid}.${DEFAULT_TENANT_ID}`)

      const reused = await emulatorRequest(emu, 'POST', TOKEN_PATH, {
        form: {grant_type: 'authorization_code', client_id: PUBLIC_CLIENT_ID, code, redirect_uri: REDIRECT, code_verifier: verifier},
      })
      assert.deepEqual(reused.json().error_codes, [54005])

      const refreshed = await pca.acquireTokenSilent({account: result.account!, scopes: [`${API_APP_ID_URI}/Data.Read`], forceRefresh: true})
      assert.notEqual(decodeJwt(refreshed.accessToken).uti, claims.uti)
      const graph = await pca.acquireTokenSilent({account: result.account!, scopes: ['https://graph.microsoft.com/User.Read']})
      assert.equal((await verified(graph.accessToken, 'https://graph.microsoft.com')).scp, 'User.Read')
      assert.deepEqual(grants(), ['authorization_code:200', 'authorization_code:400', 'refresh_token:200', 'refresh_token:200'])

      emu.control.expireRefreshTokens()
      const expired = await rejection(pca.acquireTokenSilent({account: result.account!, scopes: [`${API_APP_ID_URI}/Data.Read`], forceRefresh: true}))
      assert.equal(expired.errorCode, 'invalid_grant')
      assert.match(expired.errorMessage, /AADSTS700082: The refresh token has expired due to inactivity\./)
    })

    it('rejects a wrong PKCE verifier with AADSTS501481 and answers form_post', async () => {
      const {url} = await authUrl()
      const code = new URL(String((await signIn(url)).headers.location)).searchParams.get('code')!
      const res = await emulatorRequest(emu, 'POST', TOKEN_PATH, {
        form: {grant_type: 'authorization_code', client_id: PUBLIC_CLIENT_ID, code, redirect_uri: REDIRECT, code_verifier: 'x'.repeat(43)},
      })
      assert.equal(res.json().error, 'invalid_grant')
      assert.deepEqual(res.json().error_codes, [501481])
      const post = await signIn((await authUrl({responseMode: 'form_post'})).url)
      assert.equal(post.status, 200)
      assert.match(post.text, new RegExp(`action="${REDIRECT}"`))
      assert.match(post.text, /name="code" value="[^"]+"/)
    })

    it('reports sign-in page errors: bad password, cancel, no PKCE, bad redirect, unknown app', async () => {
      const {url} = await authUrl()
      const bad = await signIn(url, 'nope')
      assert.equal(bad.status, 200)
      assert.match(bad.text, /id="error"[^>]*>AADSTS50126/)
      const cancel = await emulatorRequest(emu, 'POST', url, {form: {action: 'cancel'}})
      const cancelled = new URL(String(cancel.headers.location)).searchParams
      assert.equal(cancelled.get('error'), 'access_denied')
      assert.match(cancelled.get('error_description')!, /^AADSTS65004: User declined to consent/)
      const base = `/${DEFAULT_TENANT_ID}/oauth2/v2.0/authorize?response_type=code&scope=openid&client_id=`
      const noPkce = await emulatorRequest(emu, 'GET', `${base}${PUBLIC_CLIENT_ID}&redirect_uri=${encodeURIComponent(REDIRECT)}`)
      assert.match(new URL(String(noPkce.headers.location)).searchParams.get('error_description')!, /^AADSTS9002325/)
      const evil = await emulatorRequest(emu, 'GET', `${base}${PUBLIC_CLIENT_ID}&redirect_uri=${encodeURIComponent('https://evil.example/cb')}`)
      assert.equal(evil.status, 400)
      assert.match(evil.text, /AADSTS50011/)
      const unknown = await emulatorRequest(emu, 'GET', `${base}${randomUUID()}&redirect_uri=${encodeURIComponent(REDIRECT)}`)
      assert.match(unknown.text, /AADSTS700016/)
    })
  })

  describe('device code', () => {
    const request = (deviceCodeCallback: (r: {message: string}) => void = () => {}) =>
      publicApp().acquireTokenByDeviceCode({scopes: [`${API_APP_ID_URI}/.default`], deviceCodeCallback})

    it('auto-approves through MSAL after the configured polls', async () => {
      emu.control.setDeviceCodeBehavior({mode: 'approve', afterPolls: 1, interval: 1})
      let message = ''
      const result = await request((r) => (message = r.message))
      assert.match(message, /^To sign in, use a web browser to open the page https:\/\/127\.0\.0\.1:\d+\/devicelogin and enter the code [A-Z]{4}-[A-Z]{4} to authenticate\.$/)
      assert.equal((await verified(result!.accessToken, API_APP_ID_URI)).scp, 'Data.Read Data.Write')
      assert.deepEqual(grants(), ['device_code:400', 'device_code:200'])
    })

    it('ends MSAL polling on deny and on expiry', async () => {
      emu.control.setDeviceCodeBehavior({mode: 'deny', afterPolls: 0, interval: 0})
      assert.match((await rejection(request())).errorMessage, /authorization_declined/)
      emu.control.setDeviceCodeBehavior({mode: 'expire', afterPolls: 0, interval: 0})
      assert.match((await rejection(request())).errorMessage, /expired_token/)
    })

    it('waits in manual mode until the device login page is completed', async () => {
      emu.control.setDeviceCodeBehavior({mode: 'manual', slowDownOnce: true, interval: 1})
      const start = (await emulatorRequest(emu, 'POST', `/${DEFAULT_TENANT_ID}/oauth2/v2.0/devicecode`, {form: {client_id: PUBLIC_CLIENT_ID, scope: 'User.Read offline_access'}})).json()
      const poll = () =>
        emulatorRequest(emu, 'POST', TOKEN_PATH, {
          form: {grant_type: 'urn:ietf:params:oauth:grant-type:device_code', client_id: PUBLIC_CLIENT_ID, device_code: String(start.device_code)},
        })
      assert.equal((await poll()).json().error, 'slow_down')
      assert.deepEqual((await poll()).json().error_codes, [70016])
      const page = (form: Record<string, string>) => emulatorRequest(emu, 'POST', '/devicelogin', {form: {user_code: String(start.user_code), ...form}})
      assert.match((await page({step: 'code'})).text, /id="password"/)
      const consent = await page({step: 'signin', username: DEFAULT_USER.username, password: DEFAULT_USER.password})
      const ticket = /name="ticket" value="([^"]+)"/.exec(consent.text)![1]
      assert.match(consent.text, /id="approve"/)
      assert.match((await page({step: 'consent', ticket, action: 'approve'})).text, /id="done"/)
      const token = (await poll()).json()
      assert.equal((await verified(String(token.access_token), 'https://graph.microsoft.com')).preferred_username, DEFAULT_USER.username)
      assert.ok(token.refresh_token)
    })
  })

  describe('faults, request log and HTTP control', () => {
    const clientCredentials = () =>
      emulatorRequest(emu, 'POST', TOKEN_PATH, {
        form: {grant_type: 'client_credentials', client_id: CONFIDENTIAL_CLIENT_ID, client_secret: CLIENT_SECRET, scope: `${API_APP_ID_URI}/.default`},
      })

    it('injects 500 and 429 answers for the configured count', async () => {
      emu.control.injectFault({endpoint: 'token', kind: 500, count: 2})
      for (let i = 0; i < 2; i++) {
        const res = await clientCredentials()
        assert.equal(res.status, 500)
        assert.deepEqual(res.json().error_codes, [50000])
        assert.ok(res.json().correlation_id)
      }
      assert.equal((await clientCredentials()).status, 200)
      emu.control.injectFault({endpoint: '*', kind: 429, retryAfter: 7})
      const throttled = await clientCredentials()
      assert.equal(throttled.status, 429)
      assert.equal(throttled.headers['retry-after'], '7')
    })

    it('drops the connection, answers slowly, or sends a broken body', async () => {
      emu.control.injectFault({endpoint: 'token', kind: 'drop'})
      await assert.rejects(clientCredentials(), /socket hang up|ECONNRESET|Parse Error/)
      emu.control.injectFault({endpoint: 'token', kind: 'slow', delayMs: 400})
      const started = Date.now()
      assert.equal((await clientCredentials()).status, 200)
      assert.ok(Date.now() - started >= 380)
      emu.control.injectFault({endpoint: 'token', kind: 'malformed'})
      const broken = await clientCredentials()
      assert.equal(broken.status, 200)
      assert.throws(() => broken.json())
      assert.deepEqual(grants(), ['client_credentials:0', 'client_credentials:200', 'client_credentials:200'])
    })

    it('makes MSAL fail when discovery answers 503', async () => {
      emu.control.injectFault({endpoint: 'openid-configuration', kind: 503})
      const cca = new ConfidentialClientApplication(config({clientId: CONFIDENTIAL_CLIENT_ID, clientSecret: CLIENT_SECRET}))
      await rejection(cca.acquireTokenByClientCredential({scopes: [`${API_APP_ID_URI}/.default`]}))
      assert.deepEqual(emu.control.requests().map((r) => `${r.endpoint}:${r.status}`), ['openid-configuration:503'])
    })

    it('is driven over HTTP and never logs secrets', async () => {
      const control = (method: string, path: string, json?: unknown) => emulatorRequest(emu, method, `/_emulator${path}`, {json})
      assert.equal((await control('POST', '/faults', {endpoint: 'token', kind: 503, retryAfter: 3})).status, 200)
      assert.equal((await control('POST', '/faults', {endpoint: 'token', kind: 418})).status, 400)
      const res = await clientCredentials()
      assert.equal(res.status, 503)
      assert.equal(res.headers['retry-after'], '3')
      const {token} = (await control('POST', '/federated-token', {subject: 'ci'})).json<{token: string}>()
      assert.equal(decodeJwt(token).iss, `${emu.url}/_emulator/oidc`)
      assert.equal((await clientCredentials()).status, 200)
      const log = (await control('GET', '/requests')).json<{grantType: string; status: number}[]>()
      assert.deepEqual(log.map((r) => `${r.grantType}:${r.status}`), ['client_credentials:503', 'client_credentials:200'])
      assert.ok(!JSON.stringify(log).includes(CLIENT_SECRET))
      assert.equal((await control('POST', '/reset')).status, 200)
      assert.deepEqual(emu.control.requests(), [])
    })
  })

  describe('lifecycle', () => {
    it('stop() closes open connections and removes the CA directory', async () => {
      const other = await startEmulator()
      const socket = connect({host: '127.0.0.1', port: other.port, ca: other.caPem, servername: 'localhost'})
      await new Promise<void>((resolve, reject) => socket.once('secureConnect', resolve).once('error', reject))
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()))
      await other.stop()
      await closed
      assert.equal(existsSync(other.caFile), false)
    })

    it('`npm run emulator` prints its settings as JSON and stops cleanly on SIGTERM', async () => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'test/emulator/main.ts', '--port', '0'], {stdio: ['ignore', 'pipe', 'pipe']})
      const line = await new Promise<string>((resolve, reject) => {
        let out = ''
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString()
          if (out.includes('\n')) resolve(out.split('\n')[0])
        })
        child.once('exit', (code) => reject(new Error(`emulator exited early with ${code}`)))
      })
      const settings = JSON.parse(line) as {url: string; caFile: string; host: string; clientSecret: string}
      assert.match(settings.url, /^https:\/\/127\.0\.0\.1:\d+$/)
      assert.equal(settings.clientSecret, CLIENT_SECRET)
      assert.ok(existsSync(settings.caFile))
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      assert.equal(await exited, 0)
      assert.equal(existsSync(settings.caFile), false)
    })
  })
})
