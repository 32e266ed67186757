import {createLocalJWKSet, jwtVerify} from 'jose'
import assert from 'node:assert/strict'

import {emulatorRequest} from '../emulator/http-client.js'
import {DEFAULT_TENANT_ID, type Emulator, startEmulator} from '../emulator/index.js'
import {MANAGED_IDENTITY_HEADER, MANAGED_IDENTITY_PATHS, startPlainHttpFront, SYSTEM_ASSIGNED_IDENTITY, USER_ASSIGNED_IDENTITY} from '../emulator/managed-identity.js'
import {closeEmulatorSandbox, runCli, type Sandbox, sandbox} from '../helpers/cli.js'

const RESOURCE = 'https://management.azure.com'

// Every run names a loopback endpoint (IDENTITY_ENDPOINT or AZURE_POD_IDENTITY_AUTHORITY_HOST):
// without one MSAL would ask the real instance metadata service.
describe('managed-identity flow end to end (subprocess CLI → plugin → MSAL ManagedIdentityApplication → emulator)', () => {
  let emu: Emulator
  let front: Awaited<ReturnType<typeof startPlainHttpFront>>
  let box: Sandbox
  let appService: Record<string, string>

  before(async () => {
    emu = await startEmulator()
    front = await startPlainHttpFront(emu)
    box = sandbox()
    appService = {...box.env, ENTRATOOL_CA_FILE: emu.caFile, IDENTITY_ENDPOINT: `${emu.url}${MANAGED_IDENTITY_PATHS.appService}`, IDENTITY_HEADER: MANAGED_IDENTITY_HEADER}
    const created = await runCli(['create-profile', '--name', 'mi', '--tenant-id', DEFAULT_TENANT_ID, '--client-id', USER_ASSIGNED_IDENTITY.clientId, '--flow', 'managed-identity', '--scope', `${RESOURCE}/.default`], {env: box.env})
    assert.equal(created.code, 0, created.stderr)
  })

  after(async () => {
    await front?.stop()
    await closeEmulatorSandbox(emu, box)
  })

  const miRequests = () => emu.control.requests().filter((r) => r.endpoint === 'managed-identity')

  async function claimsOf(token: string) {
    const jwks = (await emulatorRequest(emu, 'GET', `/${DEFAULT_TENANT_ID}/discovery/v2.0/keys`)).json()
    return (await jwtVerify(token, createLocalJWKSet(jwks as never), {audience: RESOURCE})).payload
  }

  it('gets a token for the profile\'s user-assigned identity from an App Service endpoint (https, IDENTITY_HEADER)', async () => {
    emu.control.clearRequests()
    const res = await runCli(['get-token', '-p', 'mi', '-o', 'json'], {env: appService})
    assert.equal(res.code, 0, res.stderr)
    const doc = JSON.parse(res.stdout)
    assert.deepEqual({account: doc.account, flow: doc.flow, fromCache: doc.from_cache, tokenType: doc.token_type}, {account: null, flow: 'managed-identity', fromCache: false, tokenType: 'Bearer'})
    assert.ok(doc.expires_in > 3500 && doc.expires_in <= 3600, String(doc.expires_in))
    const claims = await claimsOf(doc.access_token)
    assert.equal(claims.appid, USER_ASSIGNED_IDENTITY.clientId)
    assert.equal(claims.oid, USER_ASSIGNED_IDENTITY.objectId)
    assert.equal(claims.idtyp, 'app')
    assert.deepEqual(miRequests().map((r) => [r.path, r.clientId, r.status]), [[MANAGED_IDENTITY_PATHS.appService, USER_ASSIGNED_IDENTITY.clientId, 200]])
    assert.match(res.stderr, /user-assigned identity client-id .*App Service/)
  })

  it('serves the cached token next time without asking the endpoint', async () => {
    emu.control.clearRequests()
    const res = await runCli(['get-token', '-p', 'mi'], {env: appService})
    assert.equal(res.code, 0, res.stderr)
    assert.ok(res.stderr.includes('✓ Using cached token'), res.stderr)
    assert.deepEqual(emu.control.requests(), [])
  })

  it('uses the system-assigned identity with ENTRATOOL_MANAGED_IDENTITY=system, over a plain-http IDENTITY_ENDPOINT as on App Service', async () => {
    emu.control.clearRequests()
    const env = {...box.env, ENTRATOOL_MANAGED_IDENTITY: 'system', IDENTITY_ENDPOINT: `${front.url}${MANAGED_IDENTITY_PATHS.appService}`, IDENTITY_HEADER: MANAGED_IDENTITY_HEADER}
    const res = await runCli(['get-token', '-p', 'mi', '--force', '-o', 'json'], {env})
    assert.equal(res.code, 0, res.stderr)
    const claims = await claimsOf(JSON.parse(res.stdout).access_token)
    assert.equal(claims.appid, SYSTEM_ASSIGNED_IDENTITY.clientId)
    assert.deepEqual(miRequests().map((r) => r.clientId), [undefined])
  })

  it('selects a user-assigned identity by resource id (profile --managed-identity) from a VM-style IMDS endpoint', async () => {
    const created = await runCli(['create-profile', '--name', 'vm', '--tenant-id', DEFAULT_TENANT_ID, '--client-id', SYSTEM_ASSIGNED_IDENTITY.clientId, '--flow', 'managed-identity', '--scope', `${RESOURCE}/.default`, '--managed-identity', USER_ASSIGNED_IDENTITY.resourceId], {env: box.env})
    assert.equal(created.code, 0, created.stderr)
    emu.control.clearRequests()
    const res = await runCli(['get-token', '-p', 'vm', '-o', 'json'], {env: {...box.env, AZURE_POD_IDENTITY_AUTHORITY_HOST: front.url}})
    assert.equal(res.code, 0, res.stderr)
    const claims = await claimsOf(JSON.parse(res.stdout).access_token)
    assert.equal(claims.appid, USER_ASSIGNED_IDENTITY.clientId)
    assert.match(res.stderr, /resource-id \/subscriptions\/.*instance metadata service/)
    assert.deepEqual(miRequests().map((r) => r.path.replace(/\/$/, '')), [MANAGED_IDENTITY_PATHS.imds])
  })

  it('object-id:<guid> selects the identity by object id', async () => {
    const res = await runCli(['get-token', '-p', 'mi', '--force', '-o', 'json'], {env: {...appService, ENTRATOOL_MANAGED_IDENTITY: `object-id:${USER_ASSIGNED_IDENTITY.objectId}`}})
    assert.equal(res.code, 0, res.stderr)
    assert.equal((await claimsOf(JSON.parse(res.stdout).access_token)).oid, USER_ASSIGNED_IDENTITY.objectId)
  })

  it('exits 4 naming the identity when the host has no such identity, and when IDENTITY_HEADER is wrong', async () => {
    const unknown = await runCli(['get-token', '-p', 'mi', '--force'], {env: {...appService, ENTRATOOL_MANAGED_IDENTITY: '11111111-2222-4333-8444-555555555555'}})
    assert.equal(unknown.code, 4, unknown.stderr)
    assert.match(unknown.stderr, /refused the request for the user-assigned identity 11111111-2222-4333-8444-555555555555: Unable to load the proper Managed Identity/)
    assert.match(unknown.stderr, /--managed-identity system/)
    assert.equal(unknown.stdout, '')
    const header = await runCli(['get-token', '-p', 'mi', '--force'], {env: {...appService, IDENTITY_HEADER: 'not-the-header'}})
    assert.equal(header.code, 4, header.stderr)
    assert.match(header.stderr, /X-IDENTITY-HEADER/)
    assert.doesNotMatch(unknown.stderr + header.stderr, /\n\s+at /)
  })

  it('exits 7 when the identity endpoint cannot be reached', async () => {
    const res = await runCli(['get-token', '-p', 'mi', '--force'], {env: {...appService, IDENTITY_ENDPOINT: 'http://127.0.0.1:9/msi/token'}})
    assert.equal(res.code, 7, res.stderr)
    assert.match(res.stderr, /cannot reach the managed identity endpoint: cannot reach 127\.0\.0\.1:9: ECONNREFUSED/)
  })

  it('exits 2 for a delegated permission, several scopes, or an unreadable identity setting', async () => {
    const cases: [string[], Record<string, string>, RegExp][] = [
      [['--scope', 'https://graph.microsoft.com/User.Read'], {}, /delegated permission.*use https:\/\/graph\.microsoft\.com\/\.default/],
      [['--scope', `${RESOURCE}/.default`, '--scope', 'https://vault.azure.net/.default'], {}, /one resource; got 2 scopes|cannot be combined/],
      [[], {ENTRATOOL_MANAGED_IDENTITY: 'my-identity'}, /is not 'system', a client id/],
    ]
    for (const [args, extra, message] of cases) {
      const res = await runCli(['get-token', '-p', 'mi', '--force', ...args], {env: {...appService, ...extra}})
      assert.equal(res.code, 2, `${args.join(' ')}: ${res.stderr}`)
      assert.match(res.stderr, message)
    }
  })

  it('is listed by `entratool flows` with what it needs', async () => {
    const res = await runCli(['flows', '-o', 'json'], {env: box.env})
    const flow = JSON.parse(res.stdout).flows.find((f: {id: string}) => f.id === 'managed-identity')
    assert.equal(flow.plugin, '@entratool/flow-managed-identity')
    assert.equal(flow.kind, 'application')
    assert.ok(flow.needs.some((n: string) => n.includes('--managed-identity system')))
  })

  it('the emulator endpoints check the secret header and the Metadata header as Azure does', async () => {
    const query = `?api-version=2019-08-01&resource=${encodeURIComponent(RESOURCE)}`
    assert.equal((await emulatorRequest(emu, 'GET', `${MANAGED_IDENTITY_PATHS.appService}${query}`)).status, 401)
    const ok = await emulatorRequest(emu, 'GET', `${MANAGED_IDENTITY_PATHS.appService}${query}`, {headers: {'x-identity-header': MANAGED_IDENTITY_HEADER}})
    assert.equal(ok.status, 200)
    assert.deepEqual(Object.keys(ok.json()).sort(), ['access_token', 'client_id', 'expires_on', 'resource', 'token_type'])
    assert.match(ok.json<{expires_on: string}>().expires_on, /^\d{10}$/)
    const imds = `${MANAGED_IDENTITY_PATHS.imds}?api-version=2018-02-01&resource=${encodeURIComponent(RESOURCE)}`
    assert.equal((await emulatorRequest(emu, 'GET', imds)).status, 400)
    assert.equal((await emulatorRequest(emu, 'GET', imds, {headers: {metadata: 'true'}})).status, 200)
  })
})
