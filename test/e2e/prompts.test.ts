import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {chmodSync, mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'

import {API_APP_ID_URI, CLIENT_SECRET, CONFIDENTIAL_CLIENT_ID, DEFAULT_TENANT_ID, type Emulator, PUBLIC_CLIENT_ID} from '../emulator/index.js'
import {BIN, closeEmulatorSandbox, emulatorSandbox, runCli, type Sandbox} from '../helpers/cli.js'
import {endTmuxShell} from '../helpers/tmux.js'

/**
 * The create-profile and delete-profile prompts on a real terminal (tmux): a person types, makes
 * mistakes, picks from lists. Every keystroke goes through the terminal as a person's would.
 */
describe('on a terminal (tmux): create-profile and delete-profile prompts, the device-code countdown', function () {
  this.timeout(60_000)
  const socket = `entratool-prompts-${process.pid}`
  let emu: Emulator
  let box: Sandbox
  let env: Record<string, string>
  const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, '-f', '/dev/null', ...args], {encoding: 'utf8', env})
  const screen = () => tmux('capture-pane', '-p', '-t', 'term')

  async function waitFor(pattern: RegExp, timeoutMs = 20_000): Promise<string> {
    const end = Date.now() + timeoutMs
    for (;;) {
      const text = screen()
      if (pattern.test(text)) return text
      if (Date.now() > end) throw new Error(`timed out waiting for ${pattern}:\n${text}`)
      await sleep(50)
    }
  }

  const keys = (...names: string[]) => tmux('send-keys', '-t', 'term', ...names)
  const type = (text: string) => {
    tmux('send-keys', '-t', 'term', '-l', text)
    keys('Enter')
  }

  let runs = 0
  /** Clears the screen and runs a command line in the terminal's shell, once the old screen is gone. */
  async function run(line: string): Promise<void> {
    runs++
    type(`clear; echo BEGIN-${runs}; ${line}; echo "exit=$?"`)
    await waitFor(new RegExp(`^BEGIN-${runs}$`, 'm'))
  }

  const profile = async (name: string) => {
    const res = await runCli(['show-profile', '-p', name, '-o', 'json'], {env})
    return res.code === 0 ? JSON.parse(res.stdout) : undefined
  }

  before(async function () {
    try {
      execFileSync('tmux', ['-V'], {stdio: 'ignore'})
    } catch {
      return this.skip()
    }

    ;({box, emu, env} = await emulatorSandbox())
    delete (env as Record<string, string | undefined>).ENTRATOOL_CA_FILE
    const bin = join(box.home, 'bin')
    mkdirSync(bin)
    writeFileSync(join(bin, 'entratool'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`)
    chmodSync(join(bin, 'entratool'), 0o755)
    env = {...env, PATH: `${bin}:${env.PATH}`, TERM: 'xterm-256color'}
    tmux('new-session', '-d', '-s', 'term', '-x', '160', '-y', '50', 'bash --norc --noprofile')
    type('PS1="$ "; echo READY')
    await waitFor(/^READY$/m)
  })

  after(async () => {
    // The shell writes ~/.bash_history into the sandbox as it exits: wait for it before removing.
    await endTmuxShell(socket, 'term')
    await closeEmulatorSandbox(emu, box)
  })

  it('a typo is asked again and the answers before it are kept; cloud, CA file and flow are chosen from lists', async () => {
    await run('entratool create-profile')
    await waitFor(/Profile name/)
    type('typed-by-hand')
    await waitFor(/Tenant ID/)
    type('not a tenant!')
    await waitFor(/tenant 'not a tenant!' is invalid/)
    keys('C-u')
    type(DEFAULT_TENANT_ID)
    await waitFor(/Client ID/)
    type('12345')
    await waitFor(/client id '12345' is invalid/)
    keys('C-u')
    type(PUBLIC_CLIENT_ID)

    const clouds = await waitFor(/Cloud/)
    for (const choice of ['Public cloud (Microsoft Entra ID)', 'US Government', 'China (21Vianet)', 'Custom authority URL']) assert.ok(clouds.includes(choice), clouds)
    keys('Down', 'Down', 'Down', 'Enter')
    await waitFor(/Authority URL/)
    type('http://127.0.0.1/plain')
    await waitFor(/must use https/)
    keys('C-u')
    type(emu.authority())
    await waitFor(/CA file for it/)
    type('/nonexistent/ca.pem')
    await waitFor(/cannot read \/nonexistent\/ca\.pem: ENOENT/)
    keys('C-u')
    type(emu.caFile)

    // The flows actually installed, managed-identity included, then "none".
    const flows = await waitFor(/Default flow/)
    for (const id of ['client-credentials', 'device-code', 'interactive', 'managed-identity']) assert.match(flows, new RegExp(`${id} \\(`))
    assert.match(flows, /none: choose with --flow each time/)
    keys('Up', 'Enter') // from the default (interactive) up to device-code
    await waitFor(/Scopes/)
    type(`${API_APP_ID_URI}/.default User.Read`)
    await waitFor(/a \/\.default scope cannot be combined with other scopes/)
    keys('C-u')
    type(`${API_APP_ID_URI}/Data.Read`)
    await waitFor(/Profile 'typed-by-hand' created/)
    await waitFor(/exit=0/)

    const shown = await profile('typed-by-hand')
    assert.deepEqual(
      {authority: shown.authority, ca: shown.ca_file, client: shown.client_id, flow: shown.flow, scopes: shown.scopes, tenant: shown.tenant_id},
      {authority: emu.authority(), ca: emu.caFile, client: PUBLIC_CLIENT_ID, flow: 'device-code', scopes: [`${API_APP_ID_URI}/Data.Read`], tenant: DEFAULT_TENANT_ID},
    )
  })

  it('a name that exists is refused at the name prompt; client-credentials asks for the secret, hidden, and the profile works', async () => {
    await run('entratool create-profile')
    await waitFor(/Profile name/)
    type('typed-by-hand')
    await waitFor(/profile 'typed-by-hand' already exists: choose another name/)
    keys('C-u')
    type('app')
    await waitFor(/Tenant ID/)
    type(DEFAULT_TENANT_ID)
    await waitFor(/Client ID/)
    type(CONFIDENTIAL_CLIENT_ID)
    await waitFor(/Cloud/)
    keys('Down', 'Down', 'Down', 'Enter')
    await waitFor(/Authority URL/)
    type(emu.authority())
    await waitFor(/CA file for it/)
    type(emu.caFile)
    await waitFor(/Default flow/)
    type('client-credentials') // typing a name jumps to it, as in any select list
    await waitFor(/Client secret \(hidden/)
    type(CLIENT_SECRET)
    await waitFor(/Scopes/)
    assert.equal(screen().includes(CLIENT_SECRET), false, 'the secret never shows on the terminal')
    type(`${API_APP_ID_URI}/.default`)
    await waitFor(/Profile 'app' created/)

    const shown = await profile('app')
    assert.equal(shown.flow, 'client-credentials')
    assert.equal(shown.client_secret, 'stored')
    const token = await runCli(['get-token', '-p', 'app'], {env})
    assert.equal(token.code, 0, token.stderr)
    assert.equal(token.stdout.trim().split('.').length, 3)
  })

  it('the public cloud is the default: Enter keeps the profile on login.microsoftonline.com', async () => {
    await run(`entratool create-profile --name pub --tenant-id contoso.onmicrosoft.com --client-id ${PUBLIC_CLIENT_ID} --scope User.Read`)
    await waitFor(/Cloud/)
    keys('Enter')
    await waitFor(/Default flow/)
    keys('Enter')
    await waitFor(/Profile 'pub' created/)
    const shown = await profile('pub')
    assert.equal(shown.authority, 'https://login.microsoftonline.com/contoso.onmicrosoft.com')
    assert.equal(shown.flow, 'interactive')
  })

  it('delete-profile asks on a terminal: no keeps the profile, yes deletes it; --yes does not ask', async () => {
    await run('entratool delete-profile --name pub')
    await waitFor(/Delete profile 'pub', its cached tokens and its stored secrets\? \(y\/N\)/)
    type('n')
    await waitFor(/Profile 'pub' kept\.[\s\S]*exit=0/)
    assert.ok(await profile('pub'), 'still there')

    await run('entratool delete-profile --name pub')
    await waitFor(/Delete profile 'pub'/)
    type('y')
    await waitFor(/Profile 'pub' deleted[\s\S]*exit=0/)
    assert.equal(await profile('pub'), undefined)

    await run('entratool delete-profile --name typed-by-hand --yes')
    await waitFor(/Profile 'typed-by-hand' deleted[\s\S]*exit=0/)
    assert.doesNotMatch(screen(), /Delete profile/)
  })

  it('device code on a terminal: the time left is rewritten in place, then success on a clean line', async () => {
    const made = await runCli(['create-profile', '--name', 'dc', '--tenant-id', DEFAULT_TENANT_ID, '--client-id', PUBLIC_CLIENT_ID, '--authority', emu.authority(), '--ca-file', emu.caFile, '--flow', 'device-code', '--scope', `${API_APP_ID_URI}/Data.Read`], {env})
    assert.equal(made.code, 0, made.stderr)
    emu.control.setDeviceCodeBehavior({expiresIn: 600, interval: 1, mode: 'manual'})
    try {
      await run('entratool get-token -p dc > /dev/null')
      const first = /expires in (\d+:\d\d)/.exec(await waitFor(/⏳ Waiting for sign-in: the code expires in \d+:\d\d/))![1]
      await sleep(2200)
      const later = screen()
      const second = /expires in (\d+:\d\d)/.exec(later)![1]
      assert.notEqual(second, first, 'the countdown moved')
      assert.equal(later.match(/expires in/g)!.length, 1, `one line, rewritten in place:\n${later}`)
      emu.control.setDeviceCodeBehavior({afterPolls: 0, interval: 1, mode: 'approve'})
      const done = await waitFor(/exit=0/)
      assert.match(done, /^✓ Authentication successful!/m)
      assert.doesNotMatch(done, /expires in/, 'the countdown line was blanked')
    } finally {
      emu.control.reset()
    }
  })

  it('without a terminal delete-profile deletes without asking (scripts)', async () => {
    const res = await runCli(['delete-profile', '--name', 'app'], {env})
    assert.equal(res.code, 0, res.stderr)
    assert.match(res.stderr, /Profile 'app' deleted/)
    assert.equal(await profile('app'), undefined)
  })
})
