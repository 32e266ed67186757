import assert from 'node:assert/strict'

import {NetworkClient, TransportError, trusting} from '../../src/msal/network-client.js'
import {type Emulator, startEmulator} from '../emulator/index.js'
import {makeCertificate} from './cert-fixtures.js'

/**
 * ENTRATOOL_CA_FILE is trusted through one TLS context per process (parsing Node's ~140 roots
 * for every request cost more than the request): the same trust, made once.
 */
describe('the network client trusts ENTRATOOL_CA_FILE through one context per process', () => {
  let emu: Emulator
  let metadata: string

  before(async () => {
    emu = await startEmulator()
    metadata = `${emu.authority()}/v2.0/.well-known/openid-configuration`
  })

  after(() => emu.stop())

  it('reaches a server whose certificate that CA signed, with one context for every request', async () => {
    const client = new NetworkClient({ca: emu.caPem, timeoutMs: 5000})
    assert.equal((await client.sendGetRequestAsync(metadata)).status, 200)
    assert.equal((await new NetworkClient({ca: emu.caPem, timeoutMs: 5000}).sendGetRequestAsync(metadata)).status, 200)
    assert.equal(trusting(emu.caPem), trusting(emu.caPem))
  })

  it('trusts a CA that is not the first of a bundle', async () => {
    const bundle = `${makeCertificate({ca: true, commonName: 'another CA'}).certPem}\n${emu.caPem}`
    assert.equal((await new NetworkClient({ca: bundle, timeoutMs: 5000}).sendGetRequestAsync(metadata)).status, 200)
  })

  it("refuses a server another CA signed, as a 'trust' failure", async () => {
    const client = new NetworkClient({ca: makeCertificate({ca: true, commonName: 'not the emulator CA'}).certPem, timeoutMs: 5000})
    const failure = await client.sendGetRequestAsync(metadata).then(
      () => assert.fail('an untrusted server was reached'),
      (error: unknown) => error,
    )
    assert.ok(failure instanceof TransportError)
    assert.equal(failure.failure.kind, 'trust')
  })

  it('a request without the CA neither reuses a connection made with it nor trusts the emulator', async () => {
    trusting(emu.caPem)
    const failure = await new NetworkClient({timeoutMs: 5000}).sendGetRequestAsync(metadata).catch((error: unknown) => error)
    assert.ok(failure instanceof TransportError)
    assert.equal(failure.failure.kind, 'trust')
  })
})
