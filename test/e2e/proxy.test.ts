import assert from 'node:assert/strict'
import {createServer, type Server} from 'node:http'
import {connect} from 'node:net'

import {API_APP_ID_URI, CLIENT_SECRET, CONFIDENTIAL_CLIENT_ID, DEFAULT_TENANT_ID, type Emulator, startEmulator} from '../emulator/index.js'
import {closeEmulatorSandbox, runCli, type Sandbox, sandbox} from '../helpers/cli.js'

/** A real CONNECT proxy on loopback that records where it was asked to tunnel. */
function startProxy(): Promise<{server: Server; port: number; tunnels: string[]}> {
  const tunnels: string[] = []
  const server = createServer((_req, res) => res.writeHead(405).end())
  server.on('connect', (req, client, head) => {
    tunnels.push(req.url ?? '')
    const [host, port] = (req.url ?? '').split(':')
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      upstream.write(head)
      upstream.pipe(client)
      client.pipe(upstream)
    })
    upstream.on('error', () => client.destroy())
    client.on('error', () => upstream.destroy())
  })
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({port: (server.address() as {port: number}).port, server, tunnels})))
}

describe('HTTPS_PROXY and NO_PROXY reach the authority through MSAL', function () {
  this.timeout(60_000)
  let emu: Emulator
  let box: Sandbox
  let env: Record<string, string>
  let proxy: Awaited<ReturnType<typeof startProxy>>

  before(async () => {
    emu = await startEmulator()
    proxy = await startProxy()
    box = sandbox()
    env = {...box.env, ENTRATOOL_CA_FILE: emu.caFile}
    const res = await runCli(['create-profile', '--name', 'app', '--tenant-id', DEFAULT_TENANT_ID, '--client-id', CONFIDENTIAL_CLIENT_ID, '--authority', emu.authority(), '--flow', 'client-credentials', '--scope', `${API_APP_ID_URI}/.default`, '--client-secret-stdin'], {env, input: CLIENT_SECRET})
    assert.equal(res.code, 0, res.stderr)
  })

  after(async () => {
    proxy?.server.closeAllConnections()
    proxy?.server.close()
    await closeEmulatorSandbox(emu, box)
  })

  it('tunnels the token request through HTTPS_PROXY', async () => {
    proxy.tunnels.length = 0
    const res = await runCli(['get-token', '-p', 'app', '--force'], {env: {...env, HTTPS_PROXY: `http://127.0.0.1:${proxy.port}`}})
    assert.equal(res.code, 0, res.stderr)
    // The first call (no metadata kept yet) asks for the metadata and the token through one tunnel.
    assert.deepEqual(proxy.tunnels, [emu.host])
  })

  it('goes direct for a host in NO_PROXY', async () => {
    proxy.tunnels.length = 0
    const res = await runCli(['get-token', '-p', 'app', '--force'], {env: {...env, HTTPS_PROXY: `http://127.0.0.1:${proxy.port}`, NO_PROXY: '127.0.0.1'}})
    assert.equal(res.code, 0, res.stderr)
    assert.deepEqual(proxy.tunnels, [])
  })

  it('a proxy that is down is a network error (exit 7)', async () => {
    const res = await runCli(['get-token', '-p', 'app', '--force'], {env: {...env, HTTPS_PROXY: 'http://127.0.0.1:1'}})
    assert.equal(res.code, 7, res.stderr)
  })
})
