import assert from 'node:assert/strict'
import {request} from 'node:http'
import {connect, createServer, type Server} from 'node:net'

import {PortUnavailableError} from '../../plugins/flow-interactive/src/loopback-binding.js'
import {type LoopbackServer, startLoopbackServer} from '../../plugins/flow-interactive/src/loopback-server.js'
import {realClock} from '../helpers/fake-flow-context.js'

interface Reply {
  body: string
  headers: Record<string, string | string[] | undefined>
  status: number
}

function get(port: number, path: string, options: {address?: string; host?: string; method?: string} = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {agent: false, headers: {Host: options.host ?? `localhost:${port}`}, host: options.address ?? '127.0.0.1', method: options.method ?? 'GET', path, port},
      (response) => {
        let body = ''
        response.setEncoding('utf8')
        response.on('data', (chunk: string) => {
          body += chunk
        })
        response.on('end', () => resolve({body, headers: response.headers, status: response.statusCode ?? 0}))
      },
    )
    outgoing.on('error', reject)
    outgoing.end()
  })
}

function occupy(port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const blocker = createServer()
    blocker.once('error', reject)
    blocker.listen({host, port}, () => resolve(blocker))
  })
}

function release(blocker: Server): Promise<void> {
  return new Promise((resolve) => {
    blocker.close(() => resolve())
  })
}

/** A run of `count` consecutive ports free right now on both loopback addresses. */
async function freePorts(count: number): Promise<number[]> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 20_000)
    const ports = Array.from({length: count}, (_, i) => base + i)
    const held: Server[] = []
    try {
      for (const port of ports) held.push(await occupy(port, '127.0.0.1'), await occupy(port, '::1'))
      return ports
    } catch {
      // one of them is taken: try another run
    } finally {
      await Promise.all(held.map((blocker) => release(blocker)))
    }
  }

  throw new Error('no run of free ports found')
}

function assertWithin(value: number, low: number, high: number, message?: string): void {
  assert.ok(value >= low && value <= high, message ?? `${value} is not within ${low}..${high}`)
}

const STATE = 'expected-state-0123456789'
const never = new AbortController().signal

describe('loopback server', () => {
  let server: LoopbackServer

  beforeEach(async () => {
    server = await startLoopbackServer({clock: realClock, doneGraceMs: 200, port: {random: true}, state: STATE})
  })

  afterEach(async () => {
    await server.close()
  })

  it('listens on loopback addresses only, on a random dynamic port, with redirect URI http://localhost:<port>/', () => {
    const addresses = server.addresses()
    assert.deepEqual(addresses.map((address) => address.address).sort(), ['127.0.0.1', '::1'])
    assert.ok(addresses.every((address) => address.port === server.port))
    assertWithin(server.port, 49_152, 65_535)
    assert.equal(server.redirectUri, `http://localhost:${server.port}/`)
  })

  it('answers 404 to any path but the callback, favicon and /done included', async () => {
    for (const path of ['/other', '/favicon.ico', '/done', '/callback?code=x&state=' + STATE]) {
      assert.equal((await get(server.port, path)).status, 404, path)
    }
  })

  it('refuses requests whose Host is not the loopback name and port (DNS rebinding)', async () => {
    for (const host of ['evil.example', `evil.example:${server.port}`, `localhost:${server.port + 1}`, '127.0.0.1']) {
      assert.equal((await get(server.port, `/?code=c&state=${STATE}`, {host})).status, 421, host)
    }

    for (const host of [`127.0.0.1:${server.port}`, `[::1]:${server.port}`, `LOCALHOST:${server.port}`]) {
      assert.equal((await get(server.port, '/favicon.ico', {host})).status, 404, host)
    }
  })

  it('answers only GET', async () => {
    const reply = await get(server.port, `/?code=c&state=${STATE}`, {method: 'POST'})
    assert.equal(reply.status, 405)
    assert.equal(reply.headers.allow, 'GET')
  })

  it('keeps waiting after a request to / that carries no sign-in response', async () => {
    assert.equal((await get(server.port, '/')).status, 400)
    const waiting = server.waitForCallback({signal: never, timeoutMs: 5000})
    await get(server.port, `/?code=the-code&state=${STATE}`)
    assert.deepEqual(await waiting, {code: 'the-code', type: 'code'})
  })

  for (const [name, query] of [
    ['a wrong state', `code=stolen&state=${STATE}x`],
    ['a missing state', 'code=stolen'],
    ['a repeated state', `code=stolen&state=${STATE}&state=${STATE}`],
    ['an error response with a wrong state', 'error=access_denied&error_description=forged&state=other'],
  ]) {
    it(`answers ${name} with an error page and keeps waiting for the real callback (issue 18.5)`, async () => {
      let forged = 0
      await server.close()
      server = await startLoopbackServer({clock: realClock, doneGraceMs: 200, onForgedCallback: () => forged++, port: {random: true}, state: STATE})
      const waiting = server.waitForCallback({signal: never, timeoutMs: 5000})
      const reply = await get(server.port, `/?${query}`)
      assert.equal(reply.status, 400)
      assert.ok(reply.body.includes('state does not match'))
      assert.ok(!reply.body.includes('forged'))
      assert.equal(forged, 1)
      const real = await get(server.port, `/?code=the-code&state=${STATE}`)
      assert.equal(real.status, 302)
      assert.deepEqual(await waiting, {code: 'the-code', type: 'code'})
    })
  }

  it('a forged callback does not shorten the wait: without the real one it still ends by timeout', async () => {
    const waiting = server.waitForCallback({signal: never, timeoutMs: 300})
    assert.equal((await get(server.port, `/?code=stolen&state=${STATE}x`)).status, 400)
    assert.deepEqual(await waiting, {type: 'timeout'})
  })

  it('a one-time launch address redirects once to the authorize URL, then is gone', async () => {
    const target = 'https://login.example/t/oauth2/v2.0/authorize?state=s&code_challenge=c'
    const launch = server.launchUrl(target)
    assert.match(launch, new RegExp(`^http://localhost:${server.port}/[\\w-]{43}$`))
    assert.ok(!launch.includes('state') && !launch.includes('code_challenge'))
    const path = new URL(launch).pathname
    const first = await get(server.port, path)
    assert.deepEqual([first.status, first.headers.location], [302, target])
    assert.equal((await get(server.port, path)).status, 404)
    assert.equal((await get(server.port, `${path.slice(0, -1)}x`)).status, 404)
  })

  it('knows the browser reached it once it loads a launch address, not on a wrong one or a forged callback', async () => {
    const launch = new URL(server.launchUrl('https://login.example/authorize'))
    assert.equal((await get(server.port, `${launch.pathname}x`)).status, 404)
    assert.equal((await get(server.port, `/?code=stolen&state=${STATE}x`)).status, 400)
    assert.equal(server.reached.aborted, false)
    assert.equal((await get(server.port, launch.pathname)).status, 302)
    assert.equal(server.reached.aborted, true)
  })

  for (const [name, query] of [
    ['code', `code=the-code&state=${STATE}`],
    ['error', `error=access_denied&state=${STATE}`],
  ]) {
    it(`knows the browser reached it when a callback with the right state brings a ${name}, launch address or not`, async () => {
      assert.equal(server.reached.aborted, false)
      await get(server.port, `/?${query}`)
      assert.equal(server.reached.aborted, true)
    })
  }

  it('shows the identity provider error, HTML-escaped, and reports it', async () => {
    const waiting = server.waitForCallback({signal: never, timeoutMs: 5000})
    const description = 'AADSTS65004: User declined <script>alert(1)</script> & left.\r\nTrace ID: t'
    const reply = await get(server.port, `/?error=access_denied&error_description=${encodeURIComponent(description)}&state=${STATE}`)
    assert.equal(reply.status, 400)
    assert.ok(reply.body.includes('access_denied'))
    assert.ok(reply.body.includes('User declined &#60;script&#62;alert(1)&#60;/script&#62; &#38; left.'))
    assert.ok(!reply.body.includes('<script>'))
    assert.equal(reply.headers['content-security-policy'], "default-src 'none'; style-src 'unsafe-inline'")
    assert.deepEqual(await waiting, {description, error: 'access_denied', type: 'idp-error'})
  })

  it('redirects a code callback to /done, which shows the exchange result; later callbacks are told it is over', async () => {
    const waiting = server.waitForCallback({signal: never, timeoutMs: 5000})
    const callback = await get(server.port, `/?code=the-code&state=${STATE}`, {address: '::1', host: `[::1]:${server.port}`})
    assert.equal(callback.status, 302)
    assert.equal(callback.headers.location, '/done')
    assert.equal(callback.headers['cache-control'], 'no-store')
    assert.deepEqual(await waiting, {code: 'the-code', type: 'code'})

    const second = await get(server.port, `/?code=another&state=${STATE}`)
    assert.equal(second.status, 409)
    assert.ok(second.body.includes('already received'))

    const done = get(server.port, '/done')
    server.finish({ok: true})
    const page = await done
    assert.equal(page.status, 200)
    assert.ok(page.body.includes('Authentication successful'))
    assert.ok(!page.body.includes('the-code'))
  })

  it('shows a failure on /done when the code could not be exchanged', async () => {
    const waiting = server.waitForCallback({signal: never, timeoutMs: 5000})
    await get(server.port, `/?code=the-code&state=${STATE}`)
    await waiting
    server.finish({message: 'The sign-in code could not be exchanged for a token.', ok: false})
    const page = await get(server.port, '/done')
    assert.ok(page.body.includes('could not be exchanged'))
    assert.ok(!page.body.includes('Authentication successful'))
  })

  it('times out, after which callbacks are refused', async () => {
    const started = Date.now()
    assert.deepEqual(await server.waitForCallback({signal: never, timeoutMs: 150}), {type: 'timeout'})
    assertWithin(Date.now() - started, 100, 2000)
    assert.equal((await get(server.port, `/?code=late&state=${STATE}`)).status, 409)
  })

  it('stops waiting when the signal aborts', async () => {
    const abort = new AbortController()
    const waiting = server.waitForCallback({signal: abort.signal, timeoutMs: 5000})
    setTimeout(() => abort.abort(), 20)
    assert.deepEqual(await waiting, {type: 'aborted'})
  })

  it('closes every socket: afterwards connections are refused on both addresses', async () => {
    const {port} = server
    assert.equal((await get(port, '/favicon.ico')).headers.connection, 'close')
    await server.close()
    for (const address of ['127.0.0.1', '::1']) {
      const failure = await get(port, '/', {address}).then(
        () => undefined,
        (error: NodeJS.ErrnoException) => error.code,
      )
      assert.equal(failure, 'ECONNREFUSED', address)
    }
  })

  it('does not wait for a connection stuck in the middle of a request when closing', async () => {
    const socket = connect({host: '127.0.0.1', port: server.port})
    await new Promise((resolve) => {
      socket.once('connect', resolve)
    })
    const closed = new Promise((resolve) => {
      socket.once('close', resolve)
    })
    socket.on('error', () => {})
    socket.write(`GET / HTTP/1.1\r\nHost: localhost:${server.port}\r\n`)
    await new Promise((resolve) => {
      setTimeout(resolve, 50)
    })
    const started = Date.now()
    await server.close()
    await closed
    assertWithin(Date.now() - started, 0, 1000)
  })

  it('does not wait for ever for a browser that never fetches /done', async () => {
    void server.waitForCallback({signal: never, timeoutMs: 5000})
    await get(server.port, `/?code=the-code&state=${STATE}`)
    server.finish({ok: true})
    const started = Date.now()
    await server.close()
    assertWithin(Date.now() - started, 150, 2000)
  })
})

describe('loopback port selection', () => {
  const start = (port: Parameters<typeof startLoopbackServer>[0]['port']) => startLoopbackServer({clock: realClock, port, state: STATE})

  it('uses the requested port when free', async () => {
    const [port] = await freePorts(1)
    const server = await start({port})
    assert.equal(server.port, port)
    await server.close()
  })

  for (const address of ['127.0.0.1', '::1']) {
    it(`reports a requested port already in use on ${address}`, async () => {
      const [port] = await freePorts(1)
      const blocker = await occupy(port, address)
      try {
        const error = await start({port}).then(
          () => undefined,
          (error_: unknown) => error_,
        )
        assert.ok(error instanceof PortUnavailableError)
        assert.equal((error as PortUnavailableError).reason, 'busy')
        assert.equal((error as Error).message, `Port ${port} is already in use`)
        // What to suggest instead: a port that was free, never a privileged one.
        const {freePort} = error as PortUnavailableError
        assert.ok(freePort !== undefined && freePort >= 1024 && freePort !== port, String(freePort))
      } finally {
        await release(blocker)
      }
    })
  }

  it('picks the first free port of a range', async () => {
    const [first, second, third] = await freePorts(3)
    const blocker = await occupy(first, '127.0.0.1')
    try {
      const server = await start({range: [first, third]})
      assert.equal(server.port, second)
      await server.close()
    } finally {
      await release(blocker)
    }
  })

  it('reports a range with no free port', async () => {
    const [first, second] = await freePorts(2)
    const blockers = [await occupy(first, '127.0.0.1'), await occupy(second, '::1')]
    try {
      const error = await start({range: [first, second]}).then(
        () => undefined,
        (error_: unknown) => error_,
      )
      assert.ok(error instanceof PortUnavailableError)
      assert.deepEqual((error as PortUnavailableError).request, {range: [first, second]})
    } finally {
      await Promise.all(blockers.map((blocker) => release(blocker)))
    }
  })
})
