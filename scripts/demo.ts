/**
 * `npm run demo`: starts the local Entra ID emulator, creates profiles in a throwaway config
 * directory, gets real tokens through the whole CLI (client credentials, device code, and the
 * interactive browser flow with a scripted browser), and decodes one. Loopback only.
 */
import {spawn} from 'node:child_process'
import {existsSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'

import {API_APP_ID_URI, CLIENT_SECRET, CONFIDENTIAL_CLIENT_ID, DEFAULT_TENANT_ID, DEFAULT_USER, PUBLIC_CLIENT_ID, startEmulator} from '../test/emulator/index.js'
import {browserCommand} from '../test/helpers/browser-command.js'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const bin = resolve(import.meta.dirname, '..', 'bin', 'run.js')
const emu = await startEmulator()
const home = mkdtempSync(join(tmpdir(), 'entratool-demo-'))
// The sign-in "person": Debian's Chromium driven through the emulator's sign-in page when it is
// installed, else a script that posts the same form over HTTP.
const realBrowser = existsSync(CHROMIUM)
const browser = browserCommand(home, realBrowser ? 'chromium-sign-in.mjs' : 'scripted-browser.mjs')
const env: Record<string, string | undefined> = {
  ...process.env,
  // The scripted browser's settings (chromium-sign-in.mjs reads SIGN_IN_*, scripted-browser.mjs BENCH_BROWSER_*).
  BENCH_BROWSER_CA: emu.caFile,
  BENCH_BROWSER_PASSWORD: DEFAULT_USER.password,
  BENCH_BROWSER_USER: DEFAULT_USER.username,
  BROWSER: browser.path,
  ENTRATOOL_CA_FILE: emu.caFile,
  ENTRATOOL_CONFIG_DIR: join(home, 'config'),
  HOME: home,
  SIGN_IN_PASSWORD: DEFAULT_USER.password,
  SIGN_IN_USER: DEFAULT_USER.username,
}
for (const name of Object.keys(env)) if (/^(AZURE_|ENTRATOOL_PROFILE)/.test(name)) delete env[name]
// Encrypted files in the throwaway directory: the demo never touches the OS keychain, and a
// machine without one gets no warning about it.
env.ENTRATOOL_STORAGE = 'file'

/** Runs the CLI as a user would; async, since the emulator answers from this same process. */
function entratool(args: string[], input?: string): Promise<string> {
  console.log(`\n$ entratool ${args.join(' ')}`)
  const child = spawn(process.execPath, [bin, ...args], {env, stdio: ['pipe', 'pipe', 'inherit']})
  let stdout = ''
  child.stdout.on('data', (chunk) => (stdout += chunk))
  child.stdin.end(input ?? '')
  return new Promise((resolvePromise, reject) => {
    child.on('close', (code) => (code === 0 ? resolvePromise(stdout) : reject(new Error(`entratool ${args[0]} exited ${code}`))))
  })
}

try {
  console.log(`Local Entra ID emulator at ${emu.url} (tenant ${DEFAULT_TENANT_ID}); state in ${home} (ENTRATOOL_STORAGE=file)`)
  console.log('Identities the emulator issues tokens for, used below:')
  console.log(`  app:            ${CONFIDENTIAL_CLIENT_ID} (confidential client, the emulator's secret)`)
  console.log(`  public client:  ${PUBLIC_CLIENT_ID} (device code and browser sign-in)`)
  console.log(`  user:           ${DEFAULT_USER.username} / ${DEFAULT_USER.password}`)
  console.log(`  API:            ${API_APP_ID_URI}`)
  await entratool(['create-profile', '--name', 'demo-app', '--tenant-id', DEFAULT_TENANT_ID, '--client-id', CONFIDENTIAL_CLIENT_ID, '--authority', emu.authority(), '--flow', 'client-credentials', '--scope', `${API_APP_ID_URI}/.default`, '--client-secret-stdin'], CLIENT_SECRET)
  const json = await entratool(['get-token', '--profile', 'demo-app', '--output', 'json'])
  const doc = JSON.parse(json)
  console.log(JSON.stringify({...doc, access_token: `${doc.access_token.slice(0, 24)}…`}, null, 2))
  process.stdout.write(await entratool(['inspect', '--claims', '-o', 'json', '-'], doc.access_token))
  await entratool(['get-token', '--profile', 'demo-app', '--output', 'token'])
  console.log('(the second call was served from the encrypted cache, without a request)')

  emu.control.setDeviceCodeBehavior({afterPolls: 1, interval: 1, mode: 'approve'})
  await entratool(['create-profile', '--name', 'demo-user', '--tenant-id', DEFAULT_TENANT_ID, '--client-id', PUBLIC_CLIENT_ID, '--authority', emu.authority(), '--flow', 'device-code', '--scope', `${API_APP_ID_URI}/Data.Read`])
  const user = JSON.parse(await entratool(['get-token', '--profile', 'demo-user', '--output', 'json']))
  console.log(`signed in as ${user.account?.username} (the emulator approved the device code by itself)`)

  await entratool(['create-profile', '--name', 'demo-browser', '--tenant-id', DEFAULT_TENANT_ID, '--client-id', PUBLIC_CLIENT_ID, '--authority', emu.authority(), '--flow', 'interactive', '--scope', `${API_APP_ID_URI}/Data.Read`])
  const viaBrowser = JSON.parse(await entratool(['get-token', '--profile', 'demo-browser', '--output', 'json']))
  console.log(`signed in as ${viaBrowser.account?.username} in ${realBrowser ? 'headless Chromium' : 'a scripted browser (no Chromium here)'}, which $BROWSER opened at the emulator's sign-in page`)
  process.stdout.write(await entratool(['list-profiles']))
} finally {
  // entratool leaves the browser it started to close on its own; the state goes once it has.
  await browser.settled().catch((error: Error) => console.error(error.message))
  await emu.stop()
  rmSync(home, {force: true, recursive: true})
}
