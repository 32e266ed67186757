import assert from 'node:assert/strict'
import {mkdtemp, readFile, rm} from 'node:fs/promises'
import {get} from 'node:http'
import {createServer} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {openBrowser, type OpenOutcome, systemBrowserOpenerDeps} from '../../plugins/flow-interactive/src/browser-opener.js'
import {createInteractiveFlow} from '../../plugins/flow-interactive/src/interactive-flow.js'
import type {TokenResult} from '../../src/flows/contract.js'
import {API_APP_ID_URI, DEFAULT_USER, type Emulator, PUBLIC_CLIENT_ID, startEmulator} from '../emulator/index.js'
import {browserCommand} from '../helpers/browser-command.js'
import {createFakeFlowContext, FlowError, type RecordingUi, type TestSettings} from '../helpers/fake-flow-context.js'
import {ScriptedBrowser, type ScriptedSignIn} from './scripted-browser.js'

describe('interactive flow against the emulator', function () {
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

  function context(settings: TestSettings = {}, runFlow?: (id: string) => Promise<TokenResult>) {
    return createFakeFlowContext({emulator: emu, runFlow, settings: {clientId: PUBLIC_CLIENT_ID, scopes: [`${API_APP_ID_URI}/Data.Read`], ...settings}})
  }

  function withBrowser(script: ScriptedSignIn, outcome?: OpenOutcome) {
    const browser = new ScriptedBrowser(emu, script, outcome)
    return {browser, flow: createInteractiveFlow({isHeadless: () => false, openBrowser: browser.openBrowser})}
  }

  async function failure(promise: Promise<unknown>): Promise<Error> {
    return promise.then(
      () => assert.fail('the flow should have failed'),
      (error: unknown) => error as Error,
    )
  }

  function codeExchanges(): number {
    return emu.control.requests().filter((entry) => entry.grantType === 'authorization_code').length
  }

  /** The callback port, from an authorize URL or from the one-time launch address on the loopback server. */
  function redirectPort(url: string): number {
    const parsed = new URL(url)
    return Number(parsed.protocol === 'http:' ? parsed.port : new URL(parsed.searchParams.get('redirect_uri')!).port)
  }

  function refused(port: number): Promise<boolean> {
    return new Promise((resolve) => {
      get({agent: false, host: '127.0.0.1', path: '/', port}, () => resolve(false)).on('error', (error: NodeJS.ErrnoException) =>
        resolve(error.code === 'ECONNREFUSED'),
      )
    })
  }

  async function urlShown(ui: RecordingUi): Promise<string> {
    for (;;) {
      const line = ui.lines.find((entry) => entry.level === 'instruct' && entry.text.startsWith('  https://'))
      if (line) return line.text.trim()
      await new Promise((resolve) => {
        setTimeout(resolve, 10)
      })
    }
  }

  it('signs in with PKCE and state through the loopback redirect, shows a clean success page, and closes the server', async () => {
    const {browser, flow} = withBrowser({action: 'signin'})
    const {ctx, ui} = context()
    const result = await flow.acquire(ctx)
    await browser.finished()

    assert.equal(result.account?.username, DEFAULT_USER.username)
    assert.ok(result.accessToken.length > 20)
    const [authorizeUrl] = browser.authorizeUrls
    const params = new URL(authorizeUrl).searchParams
    const port = redirectPort(authorizeUrl)
    // The browser was started with a one-time loopback address, not the authorize URL (issue 18.3).
    assert.match(browser.launchUrls[0], new RegExp(`^http://localhost:${port}/[\\w-]{43}$`))
    assert.equal(params.get('redirect_uri'), `http://localhost:${port}/`)
    assert.ok(port >= 49_152 && port <= 65_535)
    assert.equal(params.get('code_challenge_method'), 'S256')
    assert.match(params.get('code_challenge') ?? '', /^[\w-]{43}$/)
    assert.match(params.get('state') ?? '', /^[\w-]{43}$/)
    assert.equal(params.get('response_mode'), 'query')
    assert.equal(params.get('prompt'), 'select_account')
    assert.equal(params.get('login_hint'), null)

    const [callback, done] = browser.visits
    assert.deepEqual([callback.status, callback.location], [302, '/done'])
    assert.equal(done.url, `http://localhost:${port}/done`)
    assert.equal(done.status, 200)
    assert.ok(done.body.includes('Authentication successful'))
    const code = new URL(callback.url).searchParams.get('code')!
    assert.ok(!ui.text().includes(code), 'the code is never printed')

    assert.deepEqual(ui.lines, [
      {level: 'status', text: 'Opening browser for authentication...'},
      {level: 'success', text: 'Browser opened'},
      {level: 'waiting', text: 'Waiting for sign-in...'},
      {level: 'success', text: 'Authentication successful!'},
    ])
    assert.equal(codeExchanges(), 1)
    assert.ok(await refused(port), 'the loopback server is closed')
  })

  it('a browser command that loads the launch address ends the launch wait at once and is not second-guessed', async function () {
    // The real opener, with a launch wait longer than this test may take: only the browser
    // loading the one-time address can end it. The scripted browser keeps running until the
    // flow has exchanged the code (it waits for /done), as a browser window would.
    this.timeout(10_000)
    const dir = await mkdtemp(join(tmpdir(), 'entratool-launch-'))
    const browser = browserCommand(dir, 'scripted-browser.mjs')
    const resultFile = join(dir, 'browser.json')
    const childEnv = {
      BENCH_BROWSER_CA: emu.caFile,
      BENCH_BROWSER_PASSWORD: DEFAULT_USER.password,
      BENCH_BROWSER_RESULT: resultFile,
      BENCH_BROWSER_USER: DEFAULT_USER.username,
      PATH: process.env.PATH,
    }
    const flow = createInteractiveFlow({
      isHeadless: () => false,
      openBrowser: (url, _env, report, reached) => openBrowser(url, systemBrowserOpenerDeps({BROWSER: browser.path}, childEnv, 60_000), report, reached),
    })
    const {ctx, ui} = context()
    try {
      const result = await flow.acquire(ctx)
      assert.equal(result.account?.username, DEFAULT_USER.username)
      await browser.settled()
      const seen = JSON.parse(await readFile(resultFile, 'utf8')) as {error?: string; ok: boolean}
      assert.equal(seen.ok, true, seen.error)
      assert.deepEqual(ui.lines, [
        {level: 'status', text: 'Opening browser for authentication...'},
        {level: 'success', text: 'Browser opened'},
        {level: 'waiting', text: 'Waiting for sign-in...'},
        {level: 'success', text: 'Authentication successful!'},
      ])
    } finally {
      await browser.settled()
      await rm(dir, {force: true, recursive: true})
    }
  })

  it('sends the login hint instead of asking to select an account', async () => {
    const {browser, flow} = withBrowser({action: 'signin'})
    await flow.acquire(context({loginHint: DEFAULT_USER.username}).ctx)
    const params = new URL(browser.authorizeUrls[0]).searchParams
    assert.equal(params.get('login_hint'), DEFAULT_USER.username)
    assert.equal(params.get('prompt'), null)
  })

  it('ends with an interaction error carrying the AADSTS code when the person cancels', async () => {
    const {browser, flow} = withBrowser({action: 'cancel'})
    const error = await failure(flow.acquire(context().ctx))
    await browser.finished()

    assert.ok(error instanceof FlowError)
    assert.equal(error.kind, 'interaction')
    assert.equal(error.message, 'Sign-in failed (access_denied): User declined to consent to access the app.')
    assert.equal(error.details.code, 'AADSTS65004')
    assert.ok(error.details.correlationId)
    assert.equal(browser.visits[0].status, 400)
    assert.ok(browser.visits[0].body.includes('User declined to consent to access the app.'))
    assert.equal(codeExchanges(), 0)
  })

  it('answers a callback whose state does not match with an error page and keeps waiting for the real one (issue 18.5)', async () => {
    const {browser, flow} = withBrowser({action: 'signin', tamper: (callback) => callback.searchParams.set('state', 'forged')})
    const {ctx, ui} = context({timeoutMs: 10_000})
    const signIn = flow.acquire(ctx)
    while (browser.launchUrls.length === 0) {
      await new Promise((resolve) => {
        setTimeout(resolve, 10)
      })
    }

    await browser.finished()
    assert.equal(browser.visits[0].status, 400)
    assert.equal(codeExchanges(), 0)
    assert.ok(ui.lines.some((line) => line.level === 'warn' && /wrong state.*refused; still waiting/.test(line.text)))

    // The real browser comes back with the matching state: the sign-in completes.
    const honest = new ScriptedBrowser(emu, {action: 'signin'})
    await honest.navigate(browser.authorizeUrls[0])
    const result = await signIn
    assert.equal(result.account?.username, DEFAULT_USER.username)
    assert.equal(codeExchanges(), 1)
  })

  it('only prints the URL with --no-browser', async () => {
    const browser = new ScriptedBrowser(emu, {action: 'signin'})
    const flow = createInteractiveFlow({
      isHeadless: () => false,
      openBrowser: () => assert.fail('no browser may be opened'),
    })
    const {ctx, ui} = context({openBrowser: false})
    const signIn = flow.acquire(ctx)
    await browser.navigate(await urlShown(ui))
    const result = await signIn

    assert.equal(result.account?.username, DEFAULT_USER.username)
    assert.deepEqual(ui.lines.slice(0, 2).map((line) => [line.level, line.text.startsWith('  ') ? 'URL' : line.text]), [
      ['instruct', 'Open this URL in a browser to sign in:'],
      ['instruct', 'URL'],
    ])
  })

  const urlCases: Array<[string, OpenOutcome, TestSettings, string[]]> = [
    ['when the launcher cannot tell whether a browser appeared', 'launched', {}, ['success Browser opened', 'instruct If no browser window appeared, open this URL to sign in:']],
    ['when no browser could be opened', 'failed', {}, ['warn Could not open a browser.', 'instruct Open this URL in a browser to sign in:']],
    ['with --show-url', 'opened', {showUrl: true}, ['success Browser opened', 'instruct Sign-in URL:']],
  ]
  for (const [name, outcome, settings, expected] of urlCases) {
    it(`also prints the URL ${name}`, async () => {
      const {browser, flow} = withBrowser({action: 'signin'}, outcome)
      const {ctx, ui} = context(settings)
      await flow.acquire(ctx)
      const lines = ui.lines.map((line) => `${line.level} ${line.text}`)
      assert.deepEqual(lines.slice(1, 4), [...expected, `instruct   ${browser.authorizeUrls[0]}`])
    })
  }

  it('times out with next steps and closes the server', async () => {
    let authorizeUrl = ''
    const flow = createInteractiveFlow({
      isHeadless: () => false,
      async openBrowser(url) {
        authorizeUrl = url
        return 'opened'
      },
    })
    const error = await failure(flow.acquire(context({timeoutMs: 200}).ctx))
    assert.ok(error instanceof FlowError)
    assert.equal(error.kind, 'interaction')
    assert.equal(error.message, 'Timeout waiting for authentication callback')
    assert.match(error.details.next ?? '', /http:\/\/localhost/)
    assert.ok(await refused(redirectPort(authorizeUrl)))
  })

  it('stops on Ctrl+C and closes the server', async () => {
    let authorizeUrl = ''
    const flow = createInteractiveFlow({
      isHeadless: () => false,
      async openBrowser(url) {
        authorizeUrl = url
        return 'opened'
      },
    })
    const {abort, ctx} = context()
    const signIn = flow.acquire(ctx)
    setTimeout(() => abort.abort(), 100)
    const error = await failure(signIn)
    assert.ok(error instanceof FlowError)
    assert.equal(error.kind, 'interrupted')
    assert.ok(await refused(redirectPort(authorizeUrl)))
  })

  it('reports a busy --port as a usage error before opening anything', async () => {
    const blocker = createServer()
    await new Promise<void>((resolve) => {
      blocker.listen(0, '127.0.0.1', resolve)
    })
    const {port} = blocker.address() as {port: number}
    try {
      const {browser, flow} = withBrowser({action: 'signin'})
      const {ctx, ui} = context({port})
      const error = await failure(flow.acquire(ctx))
      assert.ok(error instanceof FlowError)
      assert.equal(error.kind, 'usage')
      assert.equal(error.message, `Port ${port} is already in use`)
      assert.match(error.details.next ?? '', new RegExp(`lsof -i :${port}`))
      assert.deepEqual([browser.authorizeUrls, ui.lines], [[], []])
    } finally {
      blocker.close()
    }
  })

  it('signs in on a fixed --port', async () => {
    const probe = createServer()
    await new Promise<void>((resolve) => {
      probe.listen(0, '127.0.0.1', resolve)
    })
    const {port} = probe.address() as {port: number}
    await new Promise((resolve) => {
      probe.close(resolve)
    })
    const {browser, flow} = withBrowser({action: 'signin'})
    await flow.acquire(context({port}).ctx)
    assert.equal(redirectPort(browser.authorizeUrls[0]), port)
  })

  it('shows the failure in the browser and rethrows MSAL’s error when the code exchange fails', async () => {
    emu.control.injectFault({count: 1, endpoint: 'token', kind: 500})
    const {browser, flow} = withBrowser({action: 'signin'})
    const error = await failure(flow.acquire(context().ctx))
    await browser.finished()

    assert.ok(!(error instanceof FlowError), 'MSAL errors are left to the core')
    const done = browser.visits.at(-1)!
    assert.ok(done.url.endsWith('/done'))
    assert.ok(done.body.includes('Sign-in could not be completed'))
  })

  it('falls back to the device code flow when there is no display', async () => {
    const token: TokenResult = {accessToken: 't', account: null, expiresOn: new Date(), scopes: [], tenantId: 'x'}
    const {ctx, flowsRun, ui} = context({}, async () => token)
    const flow = createInteractiveFlow({isHeadless: () => true, openBrowser: () => assert.fail('no browser in a headless session')})
    assert.equal(await flow.acquire(ctx), token)
    assert.deepEqual(flowsRun, ['device-code'])
    assert.deepEqual(ui.lines, [{level: 'status', text: 'No display detected. Falling back to device code flow.'}])
  })
})
