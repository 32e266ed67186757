#!/usr/bin/env node
// A stand-in for a person at a browser: the CLI under test runs this as $BROWSER with the sign-in
// URL. It drives Debian's Chromium through the emulator's sign-in page and records what it saw.
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {chromium} from 'playwright-core'

const [url] = process.argv.slice(2)
const resultFile = process.env.SIGN_IN_RESULT
const profile = mkdtempSync(join(tmpdir(), 'entratool-chromium-'))
const result = {finalUrl: '', heading: '', ok: false, signInUrl: '', startUrl: url}
let context
try {
  context = await chromium.launchPersistentContext(profile, {
    args: ['--disable-background-networking', '--disable-component-update', '--disable-gpu', '--disable-sync', '--no-first-run', '--no-sandbox'],
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    // Chromium ignores NODE_EXTRA_CA_CERTS; the emulator's CA is made at test time.
    ignoreHTTPSErrors: true,
  })
  const page = await context.newPage()
  await page.goto(url)
  result.signInUrl = page.url()
  await page.fill('#username', process.env.SIGN_IN_USER ?? '')
  await page.fill('#password', process.env.SIGN_IN_PASSWORD ?? '')
  await Promise.all([page.waitForURL(/^http:\/\/localhost:\d+\/done$/, {timeout: 30_000}), page.click(process.env.SIGN_IN_BUTTON ?? '#signin')])
  await page.waitForSelector('h1')
  result.finalUrl = page.url()
  result.heading = (await page.textContent('h1')) ?? ''
  result.ok = true
} catch (error) {
  result.error = String(error)
} finally {
  await context?.close()
  rmSync(profile, {force: true, recursive: true})
  if (resultFile) writeFileSync(resultFile, JSON.stringify(result))
}
