import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {chmodSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {type Emulator, PUBLIC_CLIENT_ID, DEFAULT_TENANT_ID} from '../emulator/index.js'
import {BIN, closeEmulatorSandbox, emulatorSandbox, ROOT, runCli, type Sandbox} from '../helpers/cli.js'
import {ask, askToken, createAppProfile, verifyToken} from './serve.js'

const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as {commands: Record<string, {examples?: {command: string}[]}>}
const examplesOf = (id: string) => (manifest.commands[id].examples ?? []).map((e) => e.command.replaceAll('<%= config.bin %>', 'entratool'))
const SERVE = examplesOf('serve-identity')
const EXEC = examplesOf('exec')

/** Examples that need what a test machine must not have. */
const NOT_RUN: Record<string, string> = {
  'entratool serve-identity -p ci --bind 172.17.0.1 --port 8701': 'needs a Docker bridge; tests listen on loopback only (--bind beyond loopback is tested in serve-identity.test.ts)',
}

/**
 * The --help examples of serve-identity and exec, run exactly as printed by bash with `entratool`
 * on PATH and a `ci` profile on the emulator (test/e2e/help-examples.test.ts leaves them to this file).
 */
describe('--help examples of serve-identity and exec', function () {
  this.timeout(60_000)
  let emu: Emulator
  let box: Sandbox
  let env: Record<string, string>
  let cwd: string

  before(async () => {
    ;({box, emu, env} = await emulatorSandbox())
    const bin = join(box.home, 'bin')
    cwd = join(box.home, 'work')
    mkdirSync(bin)
    mkdirSync(cwd)
    writeFileSync(join(bin, 'entratool'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`)
    chmodSync(join(bin, 'entratool'), 0o755)
    // deploy.js of the exec example: a script using @azure/identity's DefaultAzureCredential.
    writeFileSync(
      join(cwd, 'deploy.js'),
      `const {DefaultAzureCredential} = require('@azure/identity')\nnew DefaultAzureCredential().getToken('https://management.azure.com/.default').then((t) => console.log(t.token))\n`,
    )
    env = {...env, AZURE_POD_IDENTITY_AUTHORITY_HOST: 'http://127.0.0.1:9', NODE_PATH: join(ROOT, 'node_modules'), PATH: `${bin}:${env.PATH}`}
    await createAppProfile(emu, env, 'ci')
    const work = await runCli(['create-profile', '--name', 'work', '--tenant-id', DEFAULT_TENANT_ID, '--client-id', PUBLIC_CLIENT_ID, '--authority', emu.authority(), '--flow', 'device-code'], {env})
    assert.equal(work.code, 0, work.stderr)
  })

  after(() => closeEmulatorSandbox(emu, box))

  /** `background`: the line leaves a server running, which keeps stderr open: do not wait for it. */
  function bash(line: string, background = false): Promise<{code: number | null; stdout: string; stderr: string}> {
    return new Promise((resolve, reject) => {
      const child = spawn('bash', ['--norc', '--noprofile', '-c', line], {cwd, env, stdio: ['ignore', 'pipe', background ? 'ignore' : 'pipe']})
      let stdout = ''
      let stderr = ''
      child.stdout!.on('data', (d) => (stdout += d))
      child.stderr?.on('data', (d) => (stderr += d))
      child.on('error', reject)
      child.on('close', (code) => resolve({code, stderr, stdout}))
    })
  }

  it('serve-identity -p ci > identity.env & : the file holds the exports; the endpoint answers', async () => {
    const line = SERVE[0]
    assert.equal(line, 'entratool serve-identity -p ci > identity.env &')
    // bash starts the server in the background and returns; the test stops it by its pid.
    const res = await bash(`${line}\necho $!`, true)
    assert.equal(res.code, 0, res.stderr)
    const pid = Number(res.stdout.trim())
    try {
      let text = ''
      for (let i = 0; i < 200 && text.split('\n').length <= 4; i++) {
        await new Promise((r) => setTimeout(r, 50))
        text = readFileSync(join(cwd, 'identity.env'), 'utf8')
      }

      const vars = Object.fromEntries([...text.matchAll(/^export (\w+)='([^']*)'$/gm)].map((m) => [m[1], m[2]]))
      const reply = await askToken({env: vars}, 'api://entratool-demo-api')
      assert.equal(reply.status, 200, reply.body)
      await verifyToken(emu, reply.json().access_token, 'api://entratool-demo-api')
    } finally {
      process.kill(pid, 'SIGTERM')
    }
  })

  it('serve-identity with two profiles, -o json and --allow-resource', async () => {
    const line = SERVE[1]
    assert.match(line, /-o json --allow-resource https:\/\/management\.azure\.com\/$/)
    const child = spawn('bash', ['--norc', '--noprofile', '-c', line], {cwd, env, stdio: ['ignore', 'pipe', 'pipe']})
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
    let stdout = ''
    await new Promise<void>((resolve) => child.stdout.on('data', (d) => ((stdout += d), stdout.endsWith('}\n') && resolve())))
    const vars = JSON.parse(stdout)
    const allowed = await askToken({env: vars}, 'https://management.azure.com/')
    assert.equal(allowed.status, 200, allowed.body)
    assert.equal((await askToken({env: vars}, 'api://entratool-demo-api')).status, 403)
    const work = await ask(`${vars.IDENTITY_ENDPOINT}?api-version=2019-08-01&resource=https://management.azure.com/&client_id=${PUBLIC_CLIENT_ID}`, {headers: {'X-IDENTITY-HEADER': vars.IDENTITY_HEADER}})
    assert.equal(work.status, 500)
    assert.match(work.json().message, /profile 'work' needs a sign-in/)
    child.kill('SIGTERM')
    assert.equal(await exited, 0)
  })

  it('exec examples: node deploy.js (DefaultAzureCredential), curl through sh -c, ENTRA_ACCESS_TOKEN', async () => {
    const deploy = await bash(EXEC[0])
    assert.equal(deploy.code, 0, deploy.stderr)
    await verifyToken(emu, deploy.stdout.trim(), 'https://management.azure.com')
    const curl = await bash(EXEC[1])
    assert.equal(curl.code, 0, curl.stderr)
    await verifyToken(emu, JSON.parse(curl.stdout).access_token, 'https://management.azure.com')
    const token = await bash(EXEC[2])
    assert.equal(token.code, 0, token.stderr)
  })

  it('covers every example: run above, or excused with a reason', () => {
    const run = new Set([SERVE[0], SERVE[1], ...EXEC])
    assert.deepEqual([...SERVE, ...EXEC].filter((e) => !run.has(e) && !NOT_RUN[e]), [])
    assert.equal(EXEC.length, 3)
  })
})
