import assert from 'node:assert/strict'
import {existsSync} from 'node:fs'
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {type BrowserContext, chromium, type Page} from 'playwright-core'

import {createInteractiveFlow} from '../../plugins/flow-interactive/src/interactive-flow.js'
import {API_APP_ID_URI, DEFAULT_USER, type Emulator, PUBLIC_CLIENT_ID, startEmulator} from '../emulator/index.js'
import {createFakeFlowContext} from '../helpers/fake-flow-context.js'

const CHROMIUM = '/usr/bin/chromium'

describe('interactive flow in a real browser (headless Chromium)', function () {
  this.timeout(60_000)
  let emu: Emulator
  let browser: BrowserContext
  let profileDir: string

  before(async function () {
    if (!existsSync(CHROMIUM)) this.skip()
    emu = await startEmulator()
    profileDir = await mkdtemp(join(tmpdir(), 'entratool-chromium-'))
    browser = await chromium.launchPersistentContext(profileDir, {
      args: ['--disable-background-networking', '--disable-component-update', '--disable-gpu', '--disable-sync', '--no-first-run', '--no-sandbox'],
      executablePath: CHROMIUM,
      headless: true,
      // The emulator's CA is not in Chromium's store (Chromium ignores NODE_EXTRA_CA_CERTS).
      ignoreHTTPSErrors: true,
    })
  })

  after(async () => {
    await browser?.close()
    await emu?.stop()
    if (profileDir) await rm(profileDir, {force: true, recursive: true})
  })

  it('signs in through the sign-in page and lands on a success page without the code in its address', async () => {
    let page: Page | undefined
    const flow = createInteractiveFlow({
      isHeadless: () => false,
      async openBrowser(url) {
        page = await browser.newPage()
        await page.goto(url)
        await page.fill('#username', DEFAULT_USER.username)
        await page.fill('#password', DEFAULT_USER.password)
        void page.click('#signin')
        return 'opened'
      },
    })
    const {ctx} = createFakeFlowContext({emulator: emu, settings: {clientId: PUBLIC_CLIENT_ID, scopes: [`${API_APP_ID_URI}/Data.Read`]}})

    const result = await flow.acquire(ctx)
    assert.equal(result.account?.username, DEFAULT_USER.username)
    await page!.waitForURL(/\/done$/)
    assert.match(page!.url(), /^http:\/\/localhost:\d+\/done$/)
    assert.match(await page!.textContent('h1') ?? '', /Authentication successful/)
  })
})
