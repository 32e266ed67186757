import assert from 'node:assert/strict'
import {execFile} from 'node:child_process'
import {rmSync} from 'node:fs'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'
import {promisify} from 'node:util'

import {API_APP_ID_URI, CLIENT_SECRET, CONFIDENTIAL_CLIENT_ID, DEFAULT_TENANT_ID, type Emulator} from '../emulator/index.js'
import {closeEmulatorSandbox, emulatorSandbox, ROOT, runCli, type Sandbox} from '../helpers/cli.js'

/**
 * A token call is one TLS connection (issue 17): the handshake costs more than the request on a
 * cold call. The emulator numbers its TLS connections and logs each request with its number.
 */
describe('one TLS connection per token call (ENTRATOOL_CA_FILE, as behind a corporate proxy)', () => {
  let emu: Emulator
  let box: Sandbox
  let env: Record<string, string>

  before(async () => {
    ;({box, emu, env} = await emulatorSandbox())
    const created = await runCli(['create-profile', '--name', 'app', '--tenant-id', DEFAULT_TENANT_ID, '--client-id', CONFIDENTIAL_CLIENT_ID, '--authority', emu.authority(), '--flow', 'client-credentials', '--scope', `${API_APP_ID_URI}/.default`, '--client-secret-stdin'], {env, input: CLIENT_SECRET})
    assert.equal(created.code, 0, created.stderr)
  })

  after(() => closeEmulatorSandbox(emu, box))

  /** The requests of one call, and the TLS connections they came on. */
  async function oneCall(): Promise<{endpoints: string[]; connections: number[]}> {
    emu.control.clearRequests()
    const res = await runCli(['get-token', '-p', 'app', '--force'], {env})
    assert.equal(res.code, 0, res.stderr)
    const requests = emu.control.requests()
    return {connections: [...new Set(requests.map((r) => r.connection!))], endpoints: requests.map((r) => r.endpoint)}
  }

  it('the first call of the day (no metadata kept) asks for the metadata and the token on one connection', async () => {
    rmSync(join(box.configDir, 'cache', 'authority-metadata.enc'), {force: true})
    const {connections, endpoints} = await oneCall()
    assert.deepEqual(endpoints, ['openid-configuration', 'token'])
    assert.equal(connections.length, 1, `connections: ${connections.join(', ')}`)
  })

  it('with the metadata kept, a cold call makes exactly one connection, and only the token request', async () => {
    const before = (await oneCall()).connections[0]!
    const {connections, endpoints} = await oneCall()
    assert.deepEqual(endpoints, ['token'])
    // The next number: no other connection was opened before it, not even one without a request.
    assert.deepEqual(connections, [before + 1])
  })

  it('an idle kept-alive connection does not keep a process alive', async () => {
    // Without the process.exit() of bin/run.js: the socket the agent keeps must be unref-ed.
    const script = `
      import {readFileSync} from 'node:fs'
      const {NetworkClient, trusting} = await import(${JSON.stringify(pathToFileURL(join(ROOT, 'dist', 'msal', 'network-client.js')).href)})
      const ca = readFileSync(${JSON.stringify(emu.caFile)}, 'utf8')
      const client = new NetworkClient({ca, timeoutMs: 10000})
      const url = ${JSON.stringify(`${emu.authority()}/v2.0/.well-known/openid-configuration`)}
      await client.sendGetRequestAsync(url)
      await client.sendGetRequestAsync(url)
      await new Promise((resolve) => setImmediate(resolve))
      console.log(JSON.stringify({active: process.getActiveResourcesInfo(), kept: Object.values(trusting(ca).agent.freeSockets).flat().length}))
    `
    emu.control.clearRequests()
    // It ends by itself (execFile would time out otherwise), and no network handle is active at the
    // end. Node 22 also lists the pipe of its own stdout (PipeWrap), which is not a connection.
    const {stdout} = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {timeout: 20_000})
    const {active, kept} = JSON.parse(stdout) as {active: string[]; kept: number}
    assert.deepEqual(
      active.filter((resource) => resource !== 'PipeWrap'),
      [],
    )
    assert.equal(kept, 1)
    assert.equal(new Set(emu.control.requests().map((r) => r.connection)).size, 1)
  })
})
