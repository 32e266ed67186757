import assert from 'node:assert/strict'

import {NetworkClient} from '../../src/msal/network-client.js'
import {API_APP_ID_URI, type Emulator, PUBLIC_CLIENT_ID, startEmulator} from '../emulator/index.js'

/**
 * RFC 8628 §3.5: after slow_down the interval grows by 5 s "for this and all subsequent
 * requests". The core's network client does that below MSAL (which sleeps only the interval it
 * first read); a fake sleep records every wait, so no real time passes.
 */
describe('device-code polling honours slow_down for every later poll', () => {
  let emu: Emulator

  before(async () => {
    emu = await startEmulator()
  })

  after(() => emu.stop())

  const form = (fields: Record<string, string>) => ({body: new URLSearchParams(fields).toString(), headers: {'Content-Type': 'application/x-www-form-urlencoded'}})

  it('waits interval + 5 s after a slow_down, then adds 5 s before each later poll', async () => {
    emu.control.reset()
    emu.control.setDeviceCodeBehavior({afterPolls: 3, interval: 2, mode: 'approve', slowDownOnce: true})
    const waits: number[] = []
    const network = new NetworkClient({ca: emu.caPem, sleep: async (ms) => void waits.push(ms), timeoutMs: 5000})
    const base = emu.authority()
    const code = await network.sendPostRequestAsync<{device_code: string; interval: number}>(`${base}/oauth2/v2.0/devicecode`, form({client_id: PUBLIC_CLIENT_ID, scope: `${API_APP_ID_URI}/Data.Read`}))
    assert.equal(code.body.interval, 2)
    assert.equal(network.pollIntervalMs, 2000)

    const poll = () =>
      network.sendPostRequestAsync<{access_token?: string; error?: string}>(`${base}/oauth2/v2.0/token`, form({client_id: PUBLIC_CLIENT_ID, device_code: code.body.device_code, grant_type: 'urn:ietf:params:oauth:grant-type:device_code'}))

    // First poll: slow_down, answered below MSAL by waiting the longer interval and polling again.
    assert.equal((await poll()).body.error, 'authorization_pending')
    assert.deepEqual(waits, [7000])
    assert.equal(network.pollIntervalMs, 7000)
    // MSAL then sleeps its own 2 s; the client adds the 5 s before every later poll.
    assert.equal((await poll()).body.error, 'authorization_pending')
    assert.equal((await poll()).body.error, 'authorization_pending')
    assert.ok((await poll()).body.access_token)
    assert.deepEqual(waits, [7000, 5000, 5000, 5000])
    const polls = emu.control.requests().filter((entry) => entry.endpoint === 'token')
    assert.equal(polls.length, 5, 'one slow_down, three pending, one token')
  })

  it('a new device code starts again from the server interval', async () => {
    emu.control.reset()
    emu.control.setDeviceCodeBehavior({afterPolls: 0, interval: 1, mode: 'approve', slowDownOnce: true})
    const waits: number[] = []
    const network = new NetworkClient({ca: emu.caPem, sleep: async (ms) => void waits.push(ms), timeoutMs: 5000})
    const base = emu.authority()
    const request = () => network.sendPostRequestAsync<{device_code: string}>(`${base}/oauth2/v2.0/devicecode`, form({client_id: PUBLIC_CLIENT_ID, scope: `${API_APP_ID_URI}/Data.Read`}))
    const first = await request()
    await network.sendPostRequestAsync(`${base}/oauth2/v2.0/token`, form({client_id: PUBLIC_CLIENT_ID, device_code: first.body.device_code, grant_type: 'device_code'}))
    assert.equal(network.pollIntervalMs, 6000)
    await request()
    assert.equal(network.pollIntervalMs, 1000)
  })
})
