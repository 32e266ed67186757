import assert from 'node:assert/strict'
import {type ChildProcess, spawn, spawnSync} from 'node:child_process'
import {existsSync, readdirSync, readFileSync} from 'node:fs'
import {connect} from 'node:net'
import {join} from 'node:path'

import {API_APP_ID_URI, CLIENT_SECRET, CONFIDENTIAL_CLIENT_ID, DEFAULT_TENANT_ID, type Emulator, PUBLIC_CLIENT_ID} from '../emulator/index.js'
import {BIN, closeEmulatorSandbox, emulatorSandbox, runCli, type Sandbox} from '../helpers/cli.js'
import {recordFigure} from './figures.js'

interface Running {
  child: ChildProcess
  stderr: () => string
  exit: Promise<{code: number | null; ms: number}>
}

function start(args: string[], env: Record<string, string>): Running {
  const child = spawn(process.execPath, [BIN, ...args], {env, stdio: ['ignore', 'pipe', 'pipe']})
  let stderr = ''
  child.stderr!.on('data', (d) => (stderr += d))
  let interruptedAt = 0
  child.once('spawn', () => {
    const kill = child.kill.bind(child)
    child.kill = (signal) => {
      interruptedAt = Date.now()
      return kill(signal)
    }
  })
  const exit = new Promise<{code: number | null; ms: number}>((resolve) => child.on('close', (code) => resolve({code, ms: Date.now() - interruptedAt})))
  return {child, exit, stderr: () => stderr}
}

async function waitFor(running: Running, pattern: RegExp): Promise<RegExpExecArray> {
  for (let i = 0; i < 200; i++) {
    const match = pattern.exec(running.stderr())
    if (match) return match
    await new Promise((r) => setTimeout(r, 50))
  }

  throw new Error(`never printed ${pattern}: ${running.stderr()}`)
}

const refused = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.on('connect', () => socket.destroy() && resolve(false))
    socket.on('error', () => resolve(true))
  })

describe('Ctrl+C during each flow: exit 130, loopback closed, no partial files', function () {
  this.timeout(60_000)
  let emu: Emulator
  let box: Sandbox
  let env: Record<string, string>

  before(async () => {
    ;({box, emu, env} = await emulatorSandbox({DISPLAY: ':99'}))
    for (const [name, client, flow, scope] of [['user', PUBLIC_CLIENT_ID, 'interactive', 'Data.Read'], ['app', CONFIDENTIAL_CLIENT_ID, 'client-credentials', '.default']]) {
      const res = await runCli(['create-profile', '--name', name, '--tenant-id', DEFAULT_TENANT_ID, '--client-id', client, '--authority', emu.authority(), '--flow', flow, '--scope', `${API_APP_ID_URI}/${scope}`, '--client-secret-stdin'], {env, input: CLIENT_SECRET})
      assert.equal(res.code, 0, res.stderr)
    }
  })

  after(async () => {
    recordFigure('interruptions', 4)
    await closeEmulatorSandbox(emu, box)
  })

  afterEach(() => {
    const partial = readdirSync(box.configDir, {recursive: true}).filter((f) => String(f).endsWith('.tmp') || String(f).endsWith('.lock'))
    assert.deepEqual(partial, [], 'no temp files or locks left behind')
  })

  it('interactive, waiting for the browser', async () => {
    const run = start(['get-token', '-p', 'user', '--no-browser'], env)
    const [, port] = await waitFor(run, /redirect_uri=http%3A%2F%2Flocalhost%3A(\d+)/)
    assert.equal(await refused(Number(port)), false, 'the loopback server listens while waiting')
    run.child.kill('SIGINT')
    const {code, ms} = await run.exit
    assert.equal(code, 130, run.stderr())
    assert.ok(ms < 2000, `took ${ms} ms to stop`)
    assert.equal(await refused(Number(port)), true, 'the loopback server is closed')
  })

  it('device code, waiting for approval', async () => {
    emu.control.setDeviceCodeBehavior({interval: 1, mode: 'manual'})
    const run = start(['get-token', '-p', 'user', '--flow', 'device-code', '--force'], env)
    await waitFor(run, /And enter code/)
    run.child.kill('SIGINT')
    const {code, ms} = await run.exit
    assert.equal(code, 130, run.stderr())
    assert.ok(ms < 2000, `took ${ms} ms to stop`)
  })

  it('a prompt (create-profile on a terminal, under tmux)', async function () {
    if (spawnSync('tmux', ['-V']).status !== 0) this.skip()
    const exitFile = join(box.home, 'prompt-exit')
    const session = `entratool-ctrlc-${process.pid}`
    const envs = Object.entries({...env, NO_COLOR: '1'}).map(([k, v]) => `${k}='${v}'`).join(' ')
    spawnSync('tmux', ['new-session', '-d', '-s', session, '-x', '120', '-y', '30', `env -i ${envs} ${process.execPath} ${BIN} create-profile; echo $? > ${exitFile}; sleep 5`])
    try {
      for (let i = 0; i < 100 && !spawnSync('tmux', ['capture-pane', '-pt', session]).stdout.toString().includes('Profile name'); i++) await new Promise((r) => setTimeout(r, 100))
      spawnSync('tmux', ['send-keys', '-t', session, 'C-c'])
      for (let i = 0; i < 50 && !existsSync(exitFile); i++) await new Promise((r) => setTimeout(r, 100))
      assert.equal(readFileSync(exitFile, 'utf8').trim(), '130')
      assert.match(spawnSync('tmux', ['capture-pane', '-pt', session]).stdout.toString(), /Cancelled\./)
    } finally {
      spawnSync('tmux', ['kill-session', '-t', session])
    }
  })

  it('client credentials, waiting for a slow authority', async () => {
    emu.control.injectFault({count: 2, delayMs: 20_000, endpoint: 'token', kind: 'slow'})
    const run = start(['get-token', '-p', 'app'], env)
    await waitFor(run, /Requesting an application token/)
    await new Promise((r) => setTimeout(r, 300))
    run.child.kill('SIGINT')
    const {code, ms} = await run.exit
    assert.equal(code, 130, run.stderr())
    assert.ok(ms < 4000, `took ${ms} ms to stop`)
    emu.control.clearFaults()
    assert.equal(readdirSync(join(box.configDir, 'cache')).some((f) => f.startsWith('app.tokens')), false, 'no token recorded')
  })
})
