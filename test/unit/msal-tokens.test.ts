import type {AccountInfo, AuthenticationResult, ConfidentialClientApplication, DeviceCodeRequest, ManagedIdentityApplication, PublicClientApplication} from '@azure/msal-node'
import assert from 'node:assert/strict'

import {isEntraToolError} from '../../src/errors.js'
import type {DeviceCode} from '../../src/flows/contract.js'
import {type MsalApps, MsalTokens} from '../../src/msal/msal-tokens.js'

/** A JWT whose payload holds only `tid`: what toResult reads when MSAL leaves tenantId empty. */
const jwt = (tid: string) => `e30.${Buffer.from(JSON.stringify({tid})).toString('base64url')}.sig`

const ACCOUNT = {homeAccountId: 'uid.utid', username: 'ada@contoso.test'} as AccountInfo

function result(fields: Partial<AuthenticationResult> = {}): AuthenticationResult {
  return {accessToken: jwt('token-tenant'), account: ACCOUNT, expiresOn: new Date(Date.UTC(2030, 0, 1)), scopes: ['api://x/.default'], tenantId: 'result-tenant', ...fields} as AuthenticationResult
}

const settings = {claims: '{"access_token":{}}', scopes: ['api://x/Data.Read'], tenantId: 'settings-tenant'}

/** MSAL applications faked at the seam the core configures them through: only the glue is under test. */
function apps(overrides: {confidential?: Partial<ConfidentialClientApplication>; managed?: Partial<ManagedIdentityApplication>; public?: Partial<PublicClientApplication>}): MsalApps {
  return {
    confidentialClient: async () => overrides.confidential as ConfidentialClientApplication,
    managedIdentity: async () => overrides.managed as ManagedIdentityApplication,
    pkceCodes: async () => ({challenge: 'the-challenge', verifier: 'the-verifier'}),
    publicClient: async () => overrides.public as PublicClientApplication,
  }
}

describe('MsalTokens: the contract operations on MSAL', () => {
  it('clientCredential: skips MSAL cache, uses the settings claims and the given scopes, returns an application TokenResult', async () => {
    const requests: unknown[] = []
    const tokens = new MsalTokens(apps({confidential: {acquireTokenByClientCredential: async (request) => (requests.push(request), result({tenantId: ''}))}}), settings)
    const token = await tokens.clientCredential({kind: 'secret', secret: 's'}, {scopes: ['api://y/.default']})
    assert.deepEqual(requests, [{claims: settings.claims, scopes: ['api://y/.default'], skipCache: true}])
    // Application tokens carry no account; MSAL's empty tenantId gives way to the token's tid.
    assert.deepEqual(token, {accessToken: jwt('token-tenant'), account: null, expiresOn: new Date(Date.UTC(2030, 0, 1)), scopes: ['api://x/.default'], tenantId: 'token-tenant'})
  })

  it('clientCredential: no result from MSAL is an auth error', async () => {
    const tokens = new MsalTokens(apps({confidential: {acquireTokenByClientCredential: async () => null}}), settings)
    const error = await tokens.clientCredential({kind: 'secret', secret: 's'}).then(() => assert.fail('resolved'), (error_: unknown) => error_)
    assert.ok(isEntraToolError(error))
    assert.deepEqual([error.kind, error.message], ['auth', 'the authority returned no token'])
  })

  it('authorizationCode: PKCE and state in the URL, the verifier only in the redemption, a delegated TokenResult', async () => {
    const calls: Array<[string, Record<string, unknown>]> = []
    const tokens = new MsalTokens(
      apps({
        public: {
          acquireTokenByCode: async (request) => (calls.push(['redeem', {...request}]), result()),
          getAuthCodeUrl: async (request) => (calls.push(['url', {...request}]), 'https://login.test/authorize?x'),
        },
      }),
      settings,
    )
    const signIn = await tokens.authorizationCode({loginHint: 'ada@contoso.test', prompt: 'login', redirectUri: 'http://localhost:8400/', state: 'the-state'})
    assert.equal(signIn.url, 'https://login.test/authorize?x')
    const token = await signIn.redeem('the-code')
    assert.deepEqual(calls, [
      ['url', {claims: settings.claims, codeChallenge: 'the-challenge', codeChallengeMethod: 'S256', loginHint: 'ada@contoso.test', prompt: 'login', redirectUri: 'http://localhost:8400/', responseMode: 'query', scopes: settings.scopes, state: 'the-state'}],
      ['redeem', {claims: settings.claims, code: 'the-code', codeVerifier: 'the-verifier', redirectUri: 'http://localhost:8400/', scopes: settings.scopes}],
    ])
    assert.deepEqual(token.account, {homeAccountId: 'uid.utid', username: 'ada@contoso.test'})
    assert.equal(token.tenantId, 'result-tenant')
  })

  it('deviceCode: shows the code, and a cancel sets MSAL’s cancel flag so no code is shown after it', async () => {
    const shown: DeviceCode[] = []
    let seen: DeviceCodeRequest | undefined
    const cancel = new AbortController()
    const tokens = new MsalTokens(
      apps({
        public: {
          async acquireTokenByDeviceCode(request) {
            seen = request
            const response = {deviceCode: 'd', expiresIn: 900, interval: 5, message: 'm', userCode: 'ABCD-EFGH', verificationUri: 'https://login.test/device'}
            request.deviceCodeCallback(response)
            cancel.abort()
            request.deviceCodeCallback(response)
            return result()
          },
        },
      }),
      settings,
    )
    const token = await tokens.deviceCode({cancel: cancel.signal, onCode: (code) => shown.push(code)})
    assert.deepEqual(shown, [{expiresIn: 900, userCode: 'ABCD-EFGH', verificationUri: 'https://login.test/device'}])
    assert.equal(seen?.cancel, true)
    assert.deepEqual([seen?.claims, seen?.scopes], [settings.claims, settings.scopes])
    assert.equal(token.account?.username, 'ada@contoso.test')
  })

  it('managedIdentity: the source, and a new request for the resource each time', async () => {
    const requests: unknown[] = []
    const tokens = new MsalTokens(
      apps({managed: {acquireToken: async (request) => (requests.push(request), result({account: null, tenantId: ''})), getManagedIdentitySource: () => 'AppService' as never}}),
      settings,
    )
    const client = await tokens.managedIdentity({kind: 'system'})
    assert.equal(client.source, 'AppService')
    const token = await client.acquire('https://management.azure.com')
    assert.deepEqual(requests, [{claims: settings.claims, forceRefresh: true, resource: 'https://management.azure.com'}])
    assert.deepEqual([token.account, token.tenantId], [null, 'token-tenant'])
  })

  describe('silent refresh', () => {
    function cache(accounts: AccountInfo[], refresh: () => Promise<AuthenticationResult>) {
      const removed: AccountInfo[] = []
      const requests: unknown[] = []
      const app = {
        acquireTokenSilent: async (request: unknown) => (requests.push(request), refresh()),
        getTokenCache: () => ({getAllAccounts: async () => accounts, removeAccount: async (account: AccountInfo) => void removed.push(account)}),
      } as unknown as PublicClientApplication
      return {removed, requests, tokens: new MsalTokens(apps({public: app}), settings)}
    }

    it('finds the account by home account id, else by username, and always refreshes', async () => {
      const other = {...ACCOUNT, homeAccountId: 'other', username: 'bob@contoso.test'} as AccountInfo
      const {requests, tokens} = cache([other, ACCOUNT], async () => result())
      let refreshing = 0
      const token = await tokens.silent({homeAccountId: 'missing', username: 'ada@contoso.test'}, () => refreshing++)
      assert.equal(refreshing, 1)
      assert.deepEqual(requests, [{account: ACCOUNT, claims: settings.claims, forceRefresh: true, scopes: settings.scopes}])
      assert.equal(token?.account?.username, 'ada@contoso.test')
    })

    it('is undefined, without a request, when the cache holds no such account', async () => {
      const {requests, tokens} = cache([ACCOUNT], async () => result())
      assert.equal(await tokens.silent({username: 'nobody@contoso.test'}, () => assert.fail('no refresh to announce')), undefined)
      assert.equal(requests.length, 0)
    })

    const refusals: Array<[string, string, boolean]> = [
      ['invalid_grant (expired, revoked)', 'invalid_grant', true],
      ['interaction_required', 'interaction_required', true],
      ['a server error', 'server_error', false],
    ]
    for (const [name, errorCode, removes] of refusals) {
      it(`${removes ? 'removes' : 'keeps'} the account on ${name}, and rethrows`, async () => {
        const refused = Object.assign(new Error(errorCode), {errorCode})
        const {removed, tokens} = cache([ACCOUNT], async () => Promise.reject(refused))
        await assert.rejects(tokens.silent({homeAccountId: ACCOUNT.homeAccountId}, () => {}), (error) => error === refused)
        assert.deepEqual(removed, removes ? [ACCOUNT] : [])
        assert.equal(tokens.needsSignIn(refused), removes)
      })
    }
  })
})
