import assert from 'node:assert/strict'

import {API_APP_ID_URI, CONFIDENTIAL_CLIENT_ID, type Emulator} from '../emulator/index.js'
import {closeEmulatorSandbox, emulatorSandbox, type Sandbox} from '../helpers/cli.js'
import {imdsTrap, nodeClient, PYTHON, pythonClient, runClient} from './clients.js'
import {createAppProfile, type Served, serveIdentity, tokenRequests, verifyToken} from './serve.js'

describe('real clients against serve-identity: @azure/identity (Node) and azure.identity (Debian python3-azure)', function () {
  this.timeout(90_000)
  let emu: Emulator
  let box: Sandbox
  let env: Record<string, string>
  let served: Served
  let trap: Awaited<ReturnType<typeof imdsTrap>>
  /** The environment of a program that was given the endpoint. */
  let clientEnv: Record<string, string>

  before(async () => {
    ;({box, emu, env} = await emulatorSandbox())
    await createAppProfile(emu, env, 'app')
    served = await serveIdentity(['-p', 'app'], env)
    trap = await imdsTrap()
    clientEnv = {...box.env, ...served.env, AZURE_POD_IDENTITY_AUTHORITY_HOST: trap.url}
  })

  after(async () => {
    trap?.close()
    if (served?.child.exitCode === null) await served.stop()
    await closeEmulatorSandbox(emu, box)
  })

  it('python3-azure is installed for /usr/bin/python3', async () => {
    const res = await runClient(PYTHON, ['-c', 'import json, azure.identity; print(json.dumps({"tokens": [azure.identity.__version__]}))'], clientEnv)
    assert.equal(res.code, 0, res.stderr)
  })

  it('ManagedIdentityCredential and DefaultAzureCredential (Node) and ManagedIdentityCredential (Python) get tokens that verify with the requested aud', async () => {
    const scope = `${API_APP_ID_URI}/.default`
    const [mi, dac, py] = await Promise.all([nodeClient('mi', scope, clientEnv), nodeClient('dac', scope, clientEnv), pythonClient(scope, clientEnv)])
    for (const [name, res] of Object.entries({dac, mi, py})) {
      assert.equal(res.code, 0, `${name}: ${JSON.stringify(res.out)} ${res.stderr}`)
      const claims = await verifyToken(emu, res.out.tokens![0], API_APP_ID_URI)
      assert.equal(claims.azp ?? claims.appid, CONFIDENTIAL_CLIENT_ID)
    }

    assert.equal(trap.connections(), 0, 'no client looked for IMDS')
  })

  it('many clients at once, Node and Python, for a new resource: one token request to the emulator', async () => {
    emu.control.clearRequests()
    const resource = `api://${CONFIDENTIAL_CLIENT_ID}`
    const runs = await Promise.all([
      ...Array.from({length: 4}, (_, i) => nodeClient(i % 2 ? 'dac' : 'mi', `${resource}/.default`, clientEnv)),
      ...Array.from({length: 3}, () => pythonClient(`${resource}/.default`, clientEnv)),
    ])
    for (const res of runs) assert.equal(res.code, 0, JSON.stringify(res.out) + res.stderr)
    assert.equal(new Set(runs.map((r) => r.out.tokens![0])).size, 1)
    await verifyToken(emu, runs[0].out.tokens![0], resource)
    assert.equal(tokenRequests(emu).length, 1, JSON.stringify(emu.control.requests()))
  })

  it('a wrong header gets the SDK\'s own error (401 / unavailable), never a token', async () => {
    const wrong = {...clientEnv, IDENTITY_HEADER: 'not-the-secret', MSI_SECRET: 'not-the-secret'}
    const scope = `${API_APP_ID_URI}/.default`
    const [mi, py] = await Promise.all([nodeClient('mi', scope, wrong), pythonClient(scope, wrong)])
    assert.equal(mi.code, 3)
    assert.equal(mi.out.tokens, undefined)
    assert.match(`${mi.out.error}: ${mi.out.message}`, /(CredentialUnavailableError|AuthenticationError).*(401|header is wrong)/s)
    assert.equal(py.code, 3)
    assert.match(`${py.out.error}: ${py.out.message}`, /(CredentialUnavailableError|ClientAuthenticationError).*(401|header is wrong|Unauthorized)/s)
  })
})
