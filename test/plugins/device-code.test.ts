import assert from 'node:assert/strict'

import deviceCodeFlow from '../../plugins/flow-device-code/src/device-code-flow.js'
import {API_APP_ID_URI, DEFAULT_USER, type Emulator, PUBLIC_CLIENT_ID, startEmulator} from '../emulator/index.js'
import {createFakeFlowContext, FlowError, type TestSettings} from '../helpers/fake-flow-context.js'

describe('device code flow against the emulator', function () {
  this.timeout(20_000)
  let emu: Emulator

  before(async () => {
    emu = await startEmulator()
  })

  after(async () => {
    await emu.stop()
  })

  beforeEach(() => {
    emu.control.reset()
  })

  function context(settings: TestSettings = {}) {
    return createFakeFlowContext({emulator: emu, settings: {clientId: PUBLIC_CLIENT_ID, scopes: [`${API_APP_ID_URI}/Data.Read`], ...settings}})
  }

  async function failure(promise: Promise<unknown>): Promise<FlowError> {
    const error = await promise.then(
      () => assert.fail('the flow should have failed'),
      (error_: unknown) => error_,
    )
    assert.ok(error instanceof FlowError, `not a typed flow error: ${String(error)}`)
    return error
  }

  function tokenRequests(): number {
    return emu.control.requests().filter((entry) => entry.endpoint === 'token').length
  }

  async function until(condition: () => boolean): Promise<void> {
    while (!condition()) {
      await new Promise((resolve) => {
        setTimeout(resolve, 10)
      })
    }
  }

  it('shows where to sign in and the user code on the instruction channel, polls at the server interval, and returns the token', async () => {
    emu.control.setDeviceCodeBehavior({afterPolls: 1, interval: 1, mode: 'approve'})
    const {ctx, ui} = context()
    const started = Date.now()
    const result = await deviceCodeFlow.acquire(ctx)

    assert.ok(Date.now() - started >= 1000, 'MSAL should wait the server interval between polls')
    assert.equal(tokenRequests(), 2)
    assert.ok(result.accessToken.length > 20)
    assert.equal(result.account?.username, DEFAULT_USER.username)
    assert.ok(result.expiresOn.getTime() > Date.now())
    const instructions = ui.lines.filter((line) => line.level === 'instruct').map((line) => line.text)
    assert.equal(instructions.length, 3)
    assert.equal(instructions[0], 'To sign in, use a web browser to open:')
    assert.equal(instructions[1], `  ${emu.url}/devicelogin`)
    assert.match(instructions[2], /^And enter code: [B-Z]{4}-[B-Z]{4}$/)
    assert.deepEqual(ui.lines.at(-1), {level: 'success', text: 'Authentication successful!'})
  })

  it('reports a declined sign-in as an interaction error', async () => {
    emu.control.setDeviceCodeBehavior({afterPolls: 0, interval: 0, mode: 'deny'})
    const error = await failure(deviceCodeFlow.acquire(context().ctx))
    assert.equal(error.kind, 'interaction')
    assert.equal(error.message, 'Sign-in was declined.')
    assert.ok(error.details.correlationId, 'the correlation id is kept')
  })

  it('reports an expired code as an interaction error', async () => {
    emu.control.setDeviceCodeBehavior({afterPolls: 0, interval: 0, mode: 'expire'})
    const error = await failure(deviceCodeFlow.acquire(context().ctx))
    assert.equal(error.kind, 'interaction')
    assert.equal(error.message, 'Device code has expired. Please try again.')
  })

  it('reports slow_down, which ends MSAL polling, as an interaction error', async () => {
    emu.control.setDeviceCodeBehavior({afterPolls: 3, interval: 0, mode: 'approve', slowDownOnce: true})
    const error = await failure(deviceCodeFlow.acquire(context().ctx))
    assert.equal(error.kind, 'interaction')
    assert.equal(error.message, 'The server asked to slow down polling; try again.')
  })

  it('stops at once on Ctrl+C, even while MSAL sleeps a long interval, and polls no more', async () => {
    emu.control.setDeviceCodeBehavior({interval: 3, mode: 'manual'})
    const {abort, ctx, ui} = context()
    const flow = deviceCodeFlow.acquire(ctx)
    await until(() => ui.text().includes('And enter code:') && tokenRequests() === 1)
    // The first poll answered authorization_pending; MSAL now sleeps the 3 s interval.
    await new Promise((resolve) => {
      setTimeout(resolve, 100)
    })
    const aborted = Date.now()
    abort.abort()
    const error = await failure(flow)

    assert.equal(error.kind, 'interrupted')
    assert.ok(Date.now() - aborted < 500, `took ${Date.now() - aborted} ms`)
    await new Promise((resolve) => {
      setTimeout(resolve, 3500)
    })
    assert.equal(tokenRequests(), 1, 'MSAL saw request.cancel and stopped polling')
  })

  it('gives up after --timeout', async () => {
    emu.control.setDeviceCodeBehavior({interval: 1, mode: 'manual'})
    const started = Date.now()
    const error = await failure(deviceCodeFlow.acquire(context({timeoutMs: 300}).ctx))
    assert.equal(error.kind, 'interaction')
    assert.equal(error.message, 'Timeout waiting for the device code sign-in')
    assert.ok(Date.now() - started < 1000)
  })

  it('refuses to show a code the device code endpoint never issued (MSAL does not check its errors)', async () => {
    const {ctx, ui} = context({clientId: '0a1b2c3d-0000-4000-8000-000000000000'})
    const error = await failure(deviceCodeFlow.acquire(ctx))
    assert.equal(error.kind, 'auth')
    assert.equal(error.message, 'The authority did not return a device code.')
    assert.equal(ui.lines.length, 0)
    assert.equal(tokenRequests(), 0)
  })

  it('does not even ask for a code when already interrupted', async () => {
    const {abort, ctx, ui} = context()
    abort.abort()
    assert.equal((await failure(deviceCodeFlow.acquire(ctx))).kind, 'interrupted')
    assert.equal(emu.control.requests().filter((entry) => entry.endpoint === 'devicecode').length, 0)
    assert.equal(ui.lines.length, 0)
  })
})
