import assert from 'node:assert/strict'
import {execFileSync, spawn} from 'node:child_process'
import {chmodSync, mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {API_APP_ID_URI, CLIENT_SECRET, CONFIDENTIAL_CLIENT_ID, type Emulator} from '../emulator/index.js'
import {BIN, closeEmulatorSandbox, emulatorSandbox, runCli, type Sandbox} from '../helpers/cli.js'
import {endTmuxShell} from '../helpers/tmux.js'
import {nodeArgs, pythonArgs} from './clients.js'
import {ask, createAppProfile, tokenRequests, verifyToken} from './serve.js'

const SECRETS = {
  AZURE_CLIENT_CERTIFICATE_PASSWORD: 'cert-pw',
  AZURE_CLIENT_CERTIFICATE_PATH: '/nonexistent/cert.pem',
  // entratool itself reads it as the profile's secret (so it must be right); the child must not see it.
  AZURE_CLIENT_SECRET: CLIENT_SECRET,
  AZURE_FEDERATED_TOKEN_FILE: '/nonexistent/token',
  AZURE_PASSWORD: 'pw',
  AZURE_USERNAME: 'someone@example.test',
  ENTRATOOL_EXPORT_PASSPHRASE: 'export-pass',
}

/** A child that reports the signal it got, then exits 40 + its number. */
const SIGNAL_CHILD = `
for (const [name, n] of [['SIGINT', 2], ['SIGTERM', 15], ['SIGHUP', 1]]) process.on(name, () => { console.log('got ' + name); process.exit(40 + n) })
console.log('ready ' + process.env.IDENTITY_ENDPOINT)
setInterval(() => {}, 1000)
`

/** Counts the SIGINTs it gets in half a second after the first, then exits 50 + that count. */
const COUNTING_CHILD = `
let count = 0
process.on('SIGINT', () => { if (count++ === 0) setTimeout(() => process.exit(50 + count), 500) })
console.log('ready')
setInterval(() => {}, 1000)
`

describe('exec: a program runs with a private identity endpoint', function () {
  this.timeout(120_000)
  let emu: Emulator
  let box: Sandbox
  let env: Record<string, string>

  before(async () => {
    ;({box, emu, env} = await emulatorSandbox())
    await createAppProfile(emu, env, 'app')
    writeFileSync(join(box.home, 'signals.js'), SIGNAL_CHILD)
    writeFileSync(join(box.home, 'counting.js'), COUNTING_CHILD)
  })

  after(() => closeEmulatorSandbox(emu, box))

  it('the child gets the four variables and ENTRA_ACCESS_TOKEN (the profile\'s scope), and none of the secrets', async () => {
    const res = await runCli(['exec', '-p', 'app', '--', process.execPath, '-e', 'console.log(JSON.stringify(process.env))'], {env: {...env, ...SECRETS, AZURE_CLIENT_ID: '99999999-8888-7777-6666-555555555555'}})
    assert.equal(res.code, 0, res.stderr)
    const child = JSON.parse(res.stdout)
    for (const name of [...Object.keys(SECRETS), 'AZURE_CLIENT_ID']) assert.equal(child[name], undefined, name)
    assert.match(child.IDENTITY_ENDPOINT, /^http:\/\/127\.0\.0\.1:\d+\/msi\/token$/)
    assert.equal(child.MSI_ENDPOINT, child.IDENTITY_ENDPOINT)
    assert.equal(Buffer.from(child.IDENTITY_HEADER, 'base64url').length, 32)
    assert.equal(child.MSI_SECRET, child.IDENTITY_HEADER)
    assert.equal(child.HOME, box.home)
    await verifyToken(emu, child.ENTRA_ACCESS_TOKEN, API_APP_ID_URI)
    assert.ok(Number(child.ENTRA_TOKEN_EXPIRES_ON) > Date.now() / 1000 + 300)
    // The endpoint lived only as long as the child: nothing listens there now.
    await assert.rejects(ask(child.IDENTITY_ENDPOINT), /ECONNREFUSED/)
  })

  it('--scope chooses ENTRA_ACCESS_TOKEN\'s resource; the program\'s own flags after its name stay its own', async () => {
    const resource = `api://${CONFIDENTIAL_CLIENT_ID}`
    const res = await runCli(['exec', '-p', 'app', '--scope', `${resource}/.default`, 'sh', '-c', 'echo "$ENTRA_ACCESS_TOKEN $*"', 'sh', '-p', 'x', '--scope'], {env})
    assert.equal(res.code, 0, res.stderr)
    const [token, ...args] = res.stdout.trim().split(' ')
    await verifyToken(emu, token, resource)
    assert.deepEqual(args, ['-p', 'x', '--scope'])
  })

  it('exits with the child\'s exit code, and 128 + the signal that killed it', async () => {
    assert.equal((await runCli(['exec', '-p', 'app', '--', 'sh', '-c', 'exit 3'], {env})).code, 3)
    assert.equal((await runCli(['exec', '-p', 'app', '--', 'sh', '-c', 'kill -TERM $$'], {env})).code, 143)
    assert.equal((await runCli(['exec', '-p', 'app', '--', 'sh', '-c', 'kill -KILL $$'], {env})).code, 137)
  })

  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    it(`forwards ${signal} to the child and exits with its code; nothing listens afterwards`, async () => {
      const exec = spawn(process.execPath, [BIN, 'exec', '-p', 'app', '--', process.execPath, join(box.home, 'signals.js')], {env, stdio: ['ignore', 'pipe', 'pipe']})
      let stdout = ''
      let stderr = ''
      exec.stderr.on('data', (d) => (stderr += d))
      const exited = new Promise<number | null>((resolve) => exec.on('exit', (code) => resolve(code)))
      const endpoint = await new Promise<string>((resolve, reject) => {
        exec.stdout.on('data', (d) => {
          stdout += d
          const m = /^ready (\S+)$/m.exec(stdout)
          if (m) resolve(m[1])
        })
        void exited.then(() => reject(new Error(`exec ended early: ${stderr}`)))
      })
      exec.kill(signal)
      const code = await exited
      const numbers = {SIGHUP: 1, SIGINT: 2, SIGTERM: 15}
      assert.equal(code, 40 + numbers[signal], stderr)
      assert.match(stdout, new RegExp(`got ${signal}`))
      await assert.rejects(ask(endpoint), /ECONNREFUSED/)
    })
  }

  it('on a terminal, Ctrl+C reaches the child once (not a second time from entratool), and exec exits with its code', async function () {
    try {
      execFileSync('tmux', ['-V'], {stdio: 'ignore'})
    } catch {
      return this.skip()
    }

    const bin = join(box.home, 'bin')
    mkdirSync(bin, {recursive: true})
    writeFileSync(join(bin, 'entratool'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`)
    chmodSync(join(bin, 'entratool'), 0o755)
    const socket = `entratool-exec-${process.pid}`
    const termEnv = {...env, PATH: `${bin}:${env.PATH}`}
    const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, '-f', '/dev/null', ...args], {encoding: 'utf8', env: termEnv})
    const waitFor = async (pattern: RegExp) => {
      for (let i = 0; i < 300; i++) {
        const text = tmux('capture-pane', '-p', '-t', 'term')
        if (pattern.test(text)) return text
        await new Promise((r) => setTimeout(r, 100))
      }

      throw new Error(`timed out waiting for ${pattern}:\n${tmux('capture-pane', '-p', '-t', 'term')}`)
    }

    tmux('new-session', '-d', '-s', 'term', '-x', '120', '-y', '20', 'bash --norc --noprofile')
    try {
      tmux('send-keys', '-t', 'term', '-l', `entratool exec -p app -- node ${join(box.home, 'counting.js')}; echo "rc=$?"`)
      tmux('send-keys', '-t', 'term', 'Enter')
      await waitFor(/^ready$/m)
      tmux('send-keys', '-t', 'term', 'C-c')
      assert.match(await waitFor(/rc=\d+$/m), /rc=51$/m)
    } finally {
      await endTmuxShell(socket, 'term')
    }
  })

  it('long-running children keep getting fresh tokens: a second, different, valid token after the first one\'s lifetime (Node and Python)', async () => {
    // Tokens live 8 s; each is served until 2 s before it ends (--min-validity 2s), then renewed.
    emu.control.setTokenLifetime(8)
    assert.equal((await runCli(['clear-cache', '-p', 'app'], {env})).code, 0)
    emu.control.clearRequests()
    try {
      const scope = `${API_APP_ID_URI}/.default`
      const clientEnv = {...env, AZURE_POD_IDENTITY_AUTHORITY_HOST: 'http://127.0.0.1:9'}
      const run = (args: string[]) => runCli(['exec', '-p', 'app', '--min-validity', '2s', '--', ...args], {env: clientEnv, timeoutMs: 60_000})
      const [node, python] = await Promise.all([
        run([process.execPath, ...nodeArgs('dac', scope, 25_000)]),
        run(['/usr/bin/python3', ...pythonArgs(scope, 25)]),
      ])
      for (const [name, res] of Object.entries({node, python})) {
        assert.equal(res.code, 0, `${name}: ${res.stdout} ${res.stderr}`)
        const out = JSON.parse(res.stdout.trim().split('\n').at(-1)!)
        assert.equal(out.tokens.length, 2, `${name} saw one token only in ${out.calls} calls`)
        assert.notEqual(out.tokens[0], out.tokens[1])
        const [first, second] = [await verifyToken(emu, out.tokens[0], API_APP_ID_URI, {whenIssued: true}), await verifyToken(emu, out.tokens[1], API_APP_ID_URI, {whenIssued: true})]
        assert.ok(second.exp! > first.exp!)
        // Many client calls, few token requests: the endpoint answers from memory in between.
        assert.ok(out.calls > 3, `${name}: ${out.calls} calls`)
      }

      // Two exec processes (one token each for ENTRA_ACCESS_TOKEN and each renewal): far fewer requests than calls.
      assert.ok(tokenRequests(emu).length <= 8, `${tokenRequests(emu).length} token requests`)
    } finally {
      emu.control.setTokenLifetime(3600)
    }
  })
})
