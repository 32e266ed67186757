/**
 * `npm run demo`: starts the local Entra ID emulator, creates a profile in a throwaway config
 * directory, gets a real token through the whole CLI, and decodes it. Loopback only.
 */
import {spawn} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'

import {API_APP_ID_URI, CLIENT_SECRET, CONFIDENTIAL_CLIENT_ID, DEFAULT_TENANT_ID, PUBLIC_CLIENT_ID, startEmulator} from '../test/emulator/index.js'

const bin = resolve(import.meta.dirname, '..', 'bin', 'run.js')
const emu = await startEmulator()
const home = mkdtempSync(join(tmpdir(), 'entratool-demo-'))
const env = {...process.env, ENTRATOOL_CA_FILE: emu.caFile, ENTRATOOL_CONFIG_DIR: join(home, 'config'), HOME: home}
for (const name of Object.keys(env)) if (/^(AZURE_|ENTRATOOL_PROFILE|ENTRATOOL_STORAGE)/.test(name)) delete env[name as keyof typeof env]

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
  console.log(`Local Entra ID emulator at ${emu.url} (tenant ${DEFAULT_TENANT_ID}); state in ${home}`)
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
  process.stdout.write(await entratool(['list-profiles']))
} finally {
  await emu.stop()
  rmSync(home, {force: true, recursive: true})
}
