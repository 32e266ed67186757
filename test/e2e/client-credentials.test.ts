import {createLocalJWKSet, jwtVerify} from 'jose'
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {readdirSync, readFileSync, statSync} from 'node:fs'
import {join} from 'node:path'

import {emulatorRequest} from '../emulator/http-client.js'
import {API_APP_ID_URI, CLIENT_SECRET, CONFIDENTIAL_CLIENT_ID, DEFAULT_TENANT_ID, type Emulator} from '../emulator/index.js'
import {closeEmulatorSandbox, emulatorSandbox, ROOT, runCli, type Sandbox} from '../helpers/cli.js'

describe('client credentials end to end (subprocess CLI → plugin → MSAL → emulator)', () => {
  let emu: Emulator
  let box: Sandbox
  let env: Record<string, string>

  before(async () => {
    ;({box, emu, env} = await emulatorSandbox())
  })

  after(() => closeEmulatorSandbox(emu, box))

  const tokenRequests = () => emu.control.requests().filter((r) => r.endpoint === 'token')

  it('creates a profile with the secret from stdin and never stores the secret in profiles.json', async () => {
    const res = await runCli(
      ['create-profile', '--name', 'ci', '--tenant-id', DEFAULT_TENANT_ID, '--client-id', CONFIDENTIAL_CLIENT_ID, '--authority', emu.authority(), '--flow', 'client-credentials', '--scope', `${API_APP_ID_URI}/.default`, '--client-secret-stdin'],
      {env, input: CLIENT_SECRET},
    )
    assert.equal(res.code, 0, res.stderr)
    assert.equal(res.stdout, '')
    const profiles = readFileSync(join(box.configDir, 'profiles.json'), 'utf8')
    assert.ok(!profiles.includes(CLIENT_SECRET))
    assert.equal(JSON.parse(profiles).profiles.ci.secretRef, 'ci/client-secret')
    assert.equal(statSync(join(box.configDir, 'profiles.json')).mode & 0o777, 0o600)
    assert.equal(statSync(box.configDir).mode & 0o777, 0o700)
  })

  it('gets an emulator-issued application token as JSON, with status on stderr only', async () => {
    emu.control.clearRequests()
    const res = await runCli(['get-token', '-p', 'ci', '-o', 'json'], {env})
    assert.equal(res.code, 0, res.stderr)
    const doc = JSON.parse(res.stdout)
    const {flow, from_cache: fromCache, profile, tenant_id: tenantId, token_type: tokenType} = doc
    assert.deepEqual({flow, fromCache, profile, tenantId, tokenType}, {flow: 'client-credentials', fromCache: false, profile: 'ci', tenantId: DEFAULT_TENANT_ID, tokenType: 'Bearer'})
    assert.equal(doc.account, null)
    assert.match(doc.expires_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
    assert.ok(doc.expires_in >= 3500 && doc.expires_in <= 3601, String(doc.expires_in))
    assert.ok(!Object.keys(doc).includes('refresh_token'))

    const jwks = (await emulatorRequest(emu, 'GET', `/${DEFAULT_TENANT_ID}/discovery/v2.0/keys`)).json()
    const {payload} = await jwtVerify(doc.access_token, createLocalJWKSet(jwks as never), {audience: API_APP_ID_URI})
    assert.equal(payload.tid, DEFAULT_TENANT_ID)
    assert.equal(payload.idtyp, 'app')
    assert.equal(payload.azp ?? payload.appid, CONFIDENTIAL_CLIENT_ID)
    assert.deepEqual(tokenRequests().map((r) => r.grantType), ['client_credentials'])
    assert.ok(res.stderr.includes("Token saved to profile 'ci'"), res.stderr)
    assert.ok(!(res.stderr + res.stdout).includes(CLIENT_SECRET))
  })

  it('serves the cached token on the next call without any request to the authority', async () => {
    emu.control.clearRequests()
    const first = await runCli(['get-token', '-p', 'ci'], {env})
    assert.equal(first.code, 0, first.stderr)
    assert.ok(first.stderr.includes('✓ Using cached token'), first.stderr)
    assert.equal(first.stdout.trim().split('.').length, 3)
    assert.deepEqual(emu.control.requests(), [])
  })

  for (const format of ['json', 'azure-cli', 'azd', 'msi']) {
    it(`get-token without oclif prints exactly what it prints under oclif (-o ${format})`, async () => {
      const fast = await runCli(['get-token', '-p', 'ci', '-o', format], {env})
      const full = await runCli(['get-token', '-p', 'ci', '-o', format, '--debug'], {env})
      assert.equal(fast.code, 0, fast.stderr)
      assert.equal(full.code, 0, full.stderr)
      const strip = (out: string) => ({...JSON.parse(out), ...(format === 'json' ? {expires_in: 0} : {})})
      assert.deepEqual(strip(fast.stdout), strip(full.stdout))
      assert.equal(fast.stderr, full.stderr.replaceAll(/^\[debug\].*\n/gm, ''))
    })
  }

  it('get-token without oclif answers --tenant (as the az shim passes it) exactly as under oclif', async () => {
    const args = ['get-token', '-p', 'ci', '--tenant', DEFAULT_TENANT_ID, '-o', 'azure-cli', '-q']
    const fast = await runCli(args, {env})
    const full = await runCli([...args, '--debug'], {env})
    assert.equal(fast.code, 0, fast.stderr)
    assert.equal(full.code, 0, full.stderr)
    assert.deepEqual(JSON.parse(fast.stdout), JSON.parse(full.stdout))
    assert.equal(fast.stderr, '')
  })

  it('get-token really runs without oclif (it is not silently handed to oclif)', async () => {
    // runTokenCommand returns false when it leaves the call to oclif; oclif is never loaded here.
    const script = `const m = await import(${JSON.stringify(join(ROOT, 'dist', 'token-command.js'))}); const served = await m.runTokenCommand(['get-token', '-p', 'ci', '-q']) && await m.runTokenCommand(['get-token', '-p', 'ci', '--tenant', '${DEFAULT_TENANT_ID}', '-o', 'azure-cli', '-q']); console.error(JSON.stringify({served}))`
    const res = await new Promise<{code: number | null; stdout: string; stderr: string}>((resolve) => {
      const child = spawn(process.execPath, ['--input-type=module', '-e', script], {env})
      let stdout = ''
      let stderr = ''
      child.stdout.on('data', (d) => (stdout += d))
      child.stderr.on('data', (d) => (stderr += d))
      child.on('close', (code) => resolve({code, stderr, stdout}))
    })
    assert.equal(res.code, 0, res.stderr)
    assert.equal(JSON.parse(res.stderr.trim().split('\n').at(-1)!).served, true, res.stderr)
    assert.equal(res.stdout.split('\n')[0].split('.').length, 3)
    assert.equal(JSON.parse(res.stdout.slice(res.stdout.indexOf('\n') + 1)).tenant, DEFAULT_TENANT_ID)
  })

  it('--force asks the authority again', async () => {
    emu.control.clearRequests()
    const res = await runCli(['get-token', '-p', 'ci', '--force', '-o', 'json'], {env})
    assert.equal(res.code, 0, res.stderr)
    assert.equal(JSON.parse(res.stdout).from_cache, false)
    assert.equal(tokenRequests().length, 1)
  })

  it('prints the az, azd and App Service shapes: expires_on in epoch seconds, expiresOn in az local time', async () => {
    const json = JSON.parse((await runCli(['get-token', '-p', 'ci', '-o', 'json'], {env})).stdout)
    const az = await runCli(['get-token', '-p', 'ci', '-o', 'azure-cli'], {env: {...env, AZURE_SUBSCRIPTION_ID: '00000000-0000-0000-0000-00000000c0de', TZ: 'Asia/Kolkata'}})
    assert.equal(az.code, 0, az.stderr)
    const azDoc = JSON.parse(az.stdout)
    assert.deepEqual(Object.keys(azDoc), ['accessToken', 'expiresOn', 'expires_on', 'subscription', 'tenant', 'tokenType'])
    assert.deepEqual(azDoc, {
      accessToken: json.access_token,
      expiresOn: azDoc.expiresOn,
      expires_on: json.expires_on,
      subscription: '00000000-0000-0000-0000-00000000c0de',
      tenant: DEFAULT_TENANT_ID,
      tokenType: 'Bearer',
    })
    // Local time (UTC+05:30 here), as Python's str(datetime.fromtimestamp(expires_on)).
    const local = new Date((json.expires_on + 5.5 * 3600) * 1000).toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, '.000000')
    assert.equal(azDoc.expiresOn, local)
    assert.ok(!('subscription' in JSON.parse((await runCli(['get-token', '-p', 'ci', '-o', 'azure-cli'], {env})).stdout)))

    const azd = JSON.parse((await runCli(['get-token', '-p', 'ci', '-o', 'azd'], {env})).stdout)
    assert.deepEqual(azd, {expiresOn: json.expires_at, token: json.access_token})
    const msi = JSON.parse((await runCli(['get-token', '-p', 'ci', '-o', 'msi'], {env})).stdout)
    assert.deepEqual(msi, {access_token: json.access_token, client_id: CONFIDENTIAL_CLIENT_ID, expires_on: json.expires_on, resource: API_APP_ID_URI, token_type: 'Bearer'})
  })

  it('prints env and exec-credential formats', async () => {
    const envOut = await runCli(['get-token', '-p', 'ci', '-o', 'env'], {env})
    assert.match(envOut.stdout, /^export ENTRA_ACCESS_TOKEN='[\w.-]+'\nexport ENTRA_TOKEN_EXPIRES_ON='\d+'\n$/)
    const exec = await runCli(['get-token', '-p', 'ci', '-o', 'exec-credential'], {env})
    const cred = JSON.parse(exec.stdout)
    assert.equal(cred.apiVersion, 'client.authentication.k8s.io/v1')
    assert.equal(cred.kind, 'ExecCredential')
    assert.match(cred.status.expirationTimestamp, /Z$/)
  })

  it('exits 3 for an unknown profile, 2 for an unknown flag or command', async () => {
    const unknown = await runCli(['get-token', '-p', 'nope'], {env})
    assert.equal(unknown.code, 3)
    assert.ok(unknown.stderr.includes("profile 'nope' does not exist"), unknown.stderr)
    assert.equal(unknown.stdout, '')
    const flag = await runCli(['get-token', '--bogus'], {env})
    assert.equal(flag.code, 2)
    const command = await runCli(['get-tokn'], {env})
    assert.equal(command.code, 2)
  })

  it('exits 4 naming AADSTS7000215 and the fix for a wrong secret, without a stack trace', async () => {
    const created = await runCli(['create-profile', '--name', 'wrong', '--tenant-id', DEFAULT_TENANT_ID, '--client-id', CONFIDENTIAL_CLIENT_ID, '--authority', emu.authority(), '--flow', 'client-credentials', '--scope', `${API_APP_ID_URI}/.default`, '--client-secret-stdin'], {env, input: 'not-the-secret'})
    assert.equal(created.code, 0, created.stderr)
    const res = await runCli(['get-token', '-p', 'wrong'], {env})
    assert.equal(res.code, 4)
    assert.ok(res.stderr.includes('AADSTS7000215'), res.stderr)
    assert.ok(res.stderr.includes('edit-profile --name wrong --client-secret-stdin'), res.stderr)
    assert.match(res.stderr, /correlation id [\da-f-]{36}/)
    assert.doesNotMatch(res.stderr, /\n\s+at /)
    assert.equal(res.stdout, '')
  })

  it('takes the secret from AZURE_CLIENT_SECRET over the stored one', async () => {
    const res = await runCli(['get-token', '-p', 'wrong', '--force'], {env: {...env, AZURE_CLIENT_SECRET: CLIENT_SECRET}})
    assert.equal(res.code, 0, res.stderr)
  })

  it('create-profile --force drops the replaced profile\'s stored secret and tokens', async () => {
    const recreated = await runCli(['create-profile', '--name', 'wrong', '--force', '--tenant-id', DEFAULT_TENANT_ID, '--client-id', CONFIDENTIAL_CLIENT_ID, '--authority', emu.authority(), '--flow', 'client-credentials', '--scope', `${API_APP_ID_URI}/.default`], {env})
    assert.equal(recreated.code, 0, recreated.stderr)
    const res = await runCli(['get-token', '-p', 'wrong'], {env})
    assert.equal(res.code, 3, res.stderr)
    assert.match(res.stderr, /no client credential/)
  })

  it('refuses a delegated scope for an app flow with exit 2', async () => {
    const res = await runCli(['get-token', '-p', 'ci', '--scope', 'User.Read'], {env})
    assert.equal(res.code, 2)
    assert.ok(res.stderr.includes('delegated permission'), res.stderr)
  })

  it('lists the built-in flow plugins, sorted, with the plugin that provides each', async () => {
    const res = await runCli(['flows', '-o', 'json'], {env})
    assert.equal(res.code, 0, res.stderr)
    const doc = JSON.parse(res.stdout)
    const provided = Object.fromEntries(doc.flows.map((f: {id: string; plugin: string}) => [f.id, f.plugin]))
    for (const id of ['client-credentials', 'device-code', 'interactive']) assert.equal(provided[id], `@entratool/flow-${id}`)
    const ids = doc.flows.map((f: {id: string}) => f.id)
    assert.deepEqual(ids, [...ids].sort())
    assert.deepEqual(doc.problems, [])
  })

  it('keeps every file it wrote private and free of the secret', () => {
    const walk = (dir: string): string[] => readdirSync(dir, {withFileTypes: true}).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]))
    for (const file of walk(box.configDir)) {
      assert.equal(statSync(file).mode & 0o077, 0, file)
      assert.equal(readFileSync(file).includes(CLIENT_SECRET), false, file)
    }
  })
})
