import {createLocalJWKSet, jwtVerify} from 'jose'
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'


import {emulatorRequest} from '../emulator/http-client.js'
import {API_APP_ID_URI, CLIENT_SECRET, CONFIDENTIAL_CLIENT_ID, DEFAULT_TENANT_ID, type Emulator, PUBLIC_CLIENT_ID} from '../emulator/index.js'
import {closeEmulatorSandbox, emulatorSandbox, ROOT, runCli, type Sandbox} from '../helpers/cli.js'

interface Run {
  code: number | null
  stderr: string
  stdout: string
}

function run(command: string, args: string[], env: Record<string, string>, cwd = ROOT): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {cwd, env, stdio: ['ignore', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('error', reject)
    child.on('close', (code) => resolve({code, stderr, stdout}))
  })
}

/**
 * A real @azure/identity credential in its own Node process, as an application would use it: it
 * finds `az` / `azd` through PATH and parses what they print. Prints {token, expiresOnTimestamp}
 * or {error: {name, message}}.
 */
function sdkGetToken(credential: 'AzureCliCredential' | 'AzureDeveloperCliCredential', scope: string, env: Record<string, string>): Promise<{error?: {message: string; name: string}; expiresOnTimestamp?: number; token?: string}> {
  const script = `
    const identity = await import('@azure/identity')
    try {
      const t = await new identity.${credential}().getToken(${JSON.stringify(scope)})
      console.log(JSON.stringify({expiresOnTimestamp: t.expiresOnTimestamp, token: t.token}))
    } catch (e) {
      console.log(JSON.stringify({error: {message: e.message, name: e.name}}))
    }`
  return run(process.execPath, ['--input-type=module', '-e', script], env).then((res) => {
    assert.equal(res.code, 0, res.stderr)
    return JSON.parse(res.stdout.trim().split('\n').at(-1)!)
  })
}

describe('az and azd shims (shim install) through the real Azure SDK credentials', () => {
  let emu: Emulator
  let box: Sandbox
  let env: Record<string, string>
  let shims: string
  let userShims: string
  let realBin: string
  let sdkEnv: Record<string, string>
  let jwks: ReturnType<typeof createLocalJWKSet>

  const tokenRequests = () => emu.control.requests().filter((r) => r.endpoint === 'token' || r.endpoint === 'devicecode')

  async function verify(token: string): Promise<void> {
    const {payload} = await jwtVerify(token, jwks, {audience: API_APP_ID_URI})
    assert.equal(payload.tid, DEFAULT_TENANT_ID)
    assert.equal(payload.azp ?? payload.appid, CONFIDENTIAL_CLIENT_ID)
  }

  before(async () => {
    ;({box, emu, env} = await emulatorSandbox())
    jwks = createLocalJWKSet((await emulatorRequest(emu, 'GET', `/${DEFAULT_TENANT_ID}/discovery/v2.0/keys`)).json() as never)
    const ci = await runCli(['create-profile', '--name', 'ci', '--tenant-id', DEFAULT_TENANT_ID, '--client-id', CONFIDENTIAL_CLIENT_ID, '--authority', emu.authority(), '--flow', 'client-credentials', '--scope', `${API_APP_ID_URI}/.default`, '--client-secret-stdin'], {env, input: CLIENT_SECRET})
    assert.equal(ci.code, 0, ci.stderr)
    const user = await runCli(['create-profile', '--name', 'user', '--tenant-id', DEFAULT_TENANT_ID, '--client-id', PUBLIC_CLIENT_ID, '--authority', emu.authority(), '--flow', 'device-code'], {env})
    assert.equal(user.code, 0, user.stderr)

    // Stand-ins for the real az and azd, later on PATH: they record their argv and environment.
    realBin = join(box.home, 'real-bin')
    mkdirSync(realBin)
    for (const tool of ['az', 'azd']) {
      writeFileSync(
        join(realBin, tool),
        `#!/bin/sh\nfor a in "$@"; do printf '%s\\n' "$a"; done > "${join(box.home, `${tool}.argv`)}"\nexport -p > "${join(box.home, `${tool}.env`)}"\necho "real ${tool} output"\nexit 3\n`,
      )
      chmodSync(join(realBin, tool), 0o755)
    }

    shims = join(box.home, 'shims')
    userShims = join(box.home, 'user-shims')
    sdkEnv = {...env, PATH: `${shims}:${realBin}`}
  })

  after(() => closeEmulatorSandbox(emu, box))

  it('shim install writes az and azd and prints the PATH line on stdout', async () => {
    const res = await runCli(['shim', 'install', '--dir', shims, '-p', 'ci'], {env: {...env, PATH: `${realBin}:${env.PATH}`}})
    assert.equal(res.code, 0, res.stderr)
    assert.equal(res.stdout, `export PATH="${shims}:$PATH"\n`)
    assert.match(res.stderr, new RegExp(`Other az commands go to ${join(realBin, 'az')}`))
    for (const tool of ['az', 'azd']) assert.ok(existsSync(join(shims, tool)))
    const user = await runCli(['shim', 'install', '--dir', userShims, '-p', 'user'], {env: {...env, PATH: box.home}})
    assert.equal(user.code, 0, user.stderr)
    assert.match(user.stderr, /No real az on PATH/)
  })

  it('AzureCliCredential gets an emulator-issued token through the az shim; the next process is served from the cache', async () => {
    emu.control.clearRequests()
    const first = await sdkGetToken('AzureCliCredential', `${API_APP_ID_URI}/.default`, sdkEnv)
    assert.equal(first.error, undefined, first.error?.message)
    await verify(first.token!)
    const claims = JSON.parse(Buffer.from(first.token!.split('.')[1], 'base64url').toString())
    // MSAL's expiry (now + expires_in) may differ from the token's exp by the request's duration.
    assert.ok(Math.abs(first.expiresOnTimestamp! - claims.exp * 1000) <= 5000, `${first.expiresOnTimestamp} vs exp ${claims.exp}`)
    assert.deepEqual(
      tokenRequests().map((r) => r.grantType),
      ['client_credentials'],
    )
    emu.control.clearRequests()
    const second = await sdkGetToken('AzureCliCredential', `${API_APP_ID_URI}/.default`, sdkEnv)
    assert.equal(second.token, first.token)
    assert.deepEqual(emu.control.requests(), [])
  })

  it('a cached answer is the fast path in the shim\'s own process: no entratool CLI, no oclif', async () => {
    // Every Node process started under this preload writes down its main script.
    const log = join(box.home, 'node-processes.log')
    const preload = join(box.home, 'record-main.mjs')
    writeFileSync(preload, `import {appendFileSync} from 'node:fs'\nappendFileSync(${JSON.stringify(log)}, process.argv[1] + '\\n')\n`)
    const res = await run(join(shims, 'az'), ['account', 'get-access-token', '--resource', API_APP_ID_URI], {...sdkEnv, NODE_OPTIONS: `--import=${preload}`})
    assert.equal(res.code, 0, res.stderr)
    assert.deepEqual(readFileSync(log, 'utf8').trim().split('\n'), [join(ROOT, 'dist', 'shim', 'main.js')])
  })

  it('Python\'s AzureCliCredential (Debian python3-azure) parses the az shim\'s local-time expiresOn', async function () {
    const python = '/usr/bin/python3'
    if (!existsSync(python) || (await run(python, ['-c', 'import azure.identity'], env)).code !== 0) return this.skip()
    const script = 'import json\nfrom azure.identity import AzureCliCredential\nt = AzureCliCredential().get_token("' + `${API_APP_ID_URI}/.default` + '")\nprint(json.dumps({"token": t.token, "expires_on": t.expires_on}))'
    // A zone far from UTC: azure-identity 1.13 reads only expiresOn, az's naive local time.
    const res = await run(python, ['-c', script], {...sdkEnv, TZ: 'Asia/Kolkata'})
    assert.equal(res.code, 0, res.stderr)
    const out = JSON.parse(res.stdout)
    await verify(out.token)
    const exp = JSON.parse(Buffer.from(out.token.split('.')[1], 'base64url').toString()).exp
    assert.ok(Math.abs(out.expires_on - exp) <= 5, `expires_on ${out.expires_on} vs exp ${exp}`)
  })

  it('AzureDeveloperCliCredential gets an emulator-issued token through the azd shim', async () => {
    const res = await sdkGetToken('AzureDeveloperCliCredential', `${API_APP_ID_URI}/.default`, sdkEnv)
    assert.equal(res.error, undefined, res.error?.message)
    await verify(res.token!)
  })

  it('answers az as `az account get-access-token` does, with nothing on stderr', async () => {
    const res = await run(join(shims, 'az'), ['account', 'get-access-token', '--output', 'json', '--resource', API_APP_ID_URI, '--tenant', DEFAULT_TENANT_ID], sdkEnv)
    assert.equal(res.code, 0, res.stderr)
    assert.equal(res.stderr, '')
    const doc = JSON.parse(res.stdout)
    assert.deepEqual(Object.keys(doc), ['accessToken', 'expiresOn', 'expires_on', 'tenant', 'tokenType'])
    assert.match(doc.expiresOn, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/)
    assert.equal(new Date(doc.expiresOn).getTime(), doc.expires_on * 1000)
    await verify(doc.accessToken)
    const tsv = await run(join(shims, 'az'), ['account', 'get-access-token', '--scope', `${API_APP_ID_URI}/.default`, '--query', 'accessToken', '-o', 'tsv'], sdkEnv)
    assert.equal(tsv.stdout, `${doc.accessToken}\n`)
    const show = await run(join(shims, 'az'), ['account', 'show', '--subscription', '11111111-2222-3333-4444-555555555555'], sdkEnv)
    assert.equal(show.code, 0, show.stderr)
    assert.deepEqual(JSON.parse(show.stdout), {
      environmentName: 'AzureCloud',
      homeTenantId: DEFAULT_TENANT_ID,
      id: '11111111-2222-3333-4444-555555555555',
      isDefault: true,
      managedByTenants: [],
      name: 'entratool profile ci',
      state: 'Enabled',
      tenantId: DEFAULT_TENANT_ID,
      user: {name: CONFIDENTIAL_CLIENT_ID, type: 'servicePrincipal'},
    })
  })

  it('passes every other command to the real az/azd later on PATH, arguments intact, secrets removed', async () => {
    const args = ['group', 'list', '--query', "[?location=='west europe'].name", '-o', 'tsv', '', 'two words', '--tenant=x']
    const res = await run(join(shims, 'az'), args, {...sdkEnv, AZURE_CLIENT_SECRET: 'do-not-pass', ENTRATOOL_CLIENT_SECRET: 'do-not-pass', KEEP_ME: 'yes'})
    assert.equal(res.code, 3)
    assert.equal(res.stdout, 'real az output\n')
    assert.deepEqual(readFileSync(join(box.home, 'az.argv'), 'utf8').split('\n').slice(0, -1), args)
    const childEnv = readFileSync(join(box.home, 'az.env'), 'utf8')
    assert.match(childEnv, /^export KEEP_ME='?yes'?$/m)
    assert.doesNotMatch(childEnv, /do-not-pass/)
    // Not the token command: `azd auth login` and `azd auth token` in a form the shim does not know.
    for (const azdArgs of [['auth', 'login', '--use-device-code'], ['auth', 'token', '--output', 'table']]) {
      const azd = await run(join(shims, 'azd'), azdArgs, sdkEnv)
      assert.equal(azd.code, 3)
      assert.deepEqual(readFileSync(join(box.home, 'azd.argv'), 'utf8').split('\n').slice(0, -1), azdArgs)
    }
  })

  it('with no real az later on PATH: exit 127 and a clear message', async () => {
    const res = await run(join(shims, 'az'), ['login'], {...sdkEnv, PATH: shims})
    assert.equal(res.code, 127)
    assert.match(res.stderr, /az: the real Azure CLI was not found on PATH/)
    assert.match(res.stderr, /install az for `az login`/)
  })

  it('a profile that needs a sign-in: the SDKs read "not logged in", no sign-in starts, the chain can move on', async () => {
    emu.control.clearRequests()
    const userEnv = {...env, PATH: userShims}
    const az = await sdkGetToken('AzureCliCredential', `${API_APP_ID_URI}/.default`, userEnv)
    assert.deepEqual(az.error, {message: "Please run 'az login' from a command prompt to authenticate before using this credential.", name: 'CredentialUnavailableError'})
    const azd = await sdkGetToken('AzureDeveloperCliCredential', `${API_APP_ID_URI}/.default`, userEnv)
    assert.equal(azd.error?.name, 'CredentialUnavailableError')
    assert.match(azd.error!.message, /^Please run 'azd auth login'/)
    assert.deepEqual(tokenRequests(), [])
    const direct = await run(join(userShims, 'az'), ['account', 'get-access-token'], userEnv)
    assert.equal(direct.code, 5)
    assert.equal(direct.stdout, '')
    assert.match(direct.stderr, /^ERROR: Please run 'az login' to setup account\.\nentratool's az shim: profile 'user' needs a sign-in/)
    assert.match(direct.stderr, /entratool get-token --profile user --flow device-code/)
    const show = await run(join(userShims, 'az'), ['account', 'show'], userEnv)
    assert.equal(show.code, 3)
    assert.match(show.stderr, /^ERROR: Please run 'az login' to setup account\./)
  })

  it('shim uninstall removes only the shims', async () => {
    writeFileSync(join(userShims, 'notes.txt'), 'mine')
    const res = await runCli(['shim', 'uninstall', '--dir', userShims], {env})
    assert.equal(res.code, 0, res.stderr)
    assert.ok(!existsSync(join(userShims, 'az')) && !existsSync(join(userShims, 'azd')))
    assert.ok(existsSync(join(userShims, 'notes.txt')))
  })

  it('shim install refuses to replace a program it did not write', async () => {
    const res = await runCli(['shim', 'install', '--dir', realBin], {env})
    assert.equal(res.code, 3)
    assert.match(res.stderr, /real-bin\/az exists and is not an entratool shim; nothing was changed/)
    assert.match(readFileSync(join(realBin, 'az'), 'utf8'), /real az output/)
  })
})
