import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {chmodSync, chownSync, existsSync, mkdirSync, readdirSync, statSync, symlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {API_APP_ID_URI, CLIENT_SECRET, CONFIDENTIAL_CLIENT_ID, DEFAULT_TENANT_ID, type Emulator} from '../emulator/index.js'
import {baseEnv, BIN, type CliResult, closeEmulatorSandbox, emulatorSandbox, runCli, type Sandbox} from '../helpers/cli.js'
import {recordFigure} from './figures.js'

const NOBODY = 65_534
const mode = (path: string) => statSync(path).mode & 0o777

/** The CLI as another, unprivileged local user (setpriv), where owners and modes really matter. */
function runAsNobody(args: string[], env: Record<string, string>, input = ''): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', process.execPath, BIN, ...args], {env, stdio: ['pipe', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('error', reject)
    child.on('close', (code, signal) => resolve({code, signal, stderr, stdout}))
    child.stdin.end(input)
  })
}

/**
 * Issue 18.11: the config directory. entratool changes modes only on directories it created,
 * refuses a planted symlink or another user's directory, and warns (as ssh does) about key or
 * secret files others can read.
 */
describe('the config directory: no planted symlink, no other owner, no chmod of what we did not create', function () {
  this.timeout(120_000)
  let emu: Emulator
  let box: Sandbox
  let env: Record<string, string>
  const asRoot = process.getuid?.() === 0

  before(async () => {
    ;({box, emu, env} = await emulatorSandbox())
  })

  // The cases that run everywhere count toward README's "hostile cases" figure (the unprivileged
  // one is skipped where that user cannot read the checkout, and the figure must not depend on it).
  let cases = 0

  after(async () => {
    recordFigure('hostileCases', cases)
    await closeEmulatorSandbox(emu, box)
  })

  const createArgs = (name: string) => ['create-profile', '--name', name, '--tenant-id', DEFAULT_TENANT_ID, '--client-id', CONFIDENTIAL_CLIENT_ID, '--authority', emu.authority(), '--flow', 'client-credentials', '--scope', `${API_APP_ID_URI}/.default`, '--client-secret-stdin']

  it('refuses a config directory that is a planted symlink: exit 6, the target keeps its mode and gets no file', async () => {
    const victim = join(box.home, 'public_html')
    mkdirSync(victim, {mode: 0o755})
    chmodSync(victim, 0o755)
    writeFileSync(join(victim, 'index.html'), 'hello')
    const planted = join(box.home, 'shared', 'entratool')
    mkdirSync(join(box.home, 'shared'))
    symlinkSync(victim, planted)
    const res = await runCli(createArgs('ci'), {env: {...env, ENTRATOOL_CONFIG_DIR: planted}, input: CLIENT_SECRET})
    assert.equal(res.code, 6, res.stderr)
    assert.match(res.stderr, /symbolic link/)
    assert.equal(res.stdout, '')
    assert.equal(mode(victim), 0o755, 'the link target was not chmod-ed')
    assert.deepEqual(readdirSync(victim), ['index.html'], 'nothing was written through the link')
    cases++
  })

  it('uses an existing directory (ENTRATOOL_CONFIG_DIR=$HOME) without changing its mode; what it creates is 0700', async () => {
    const home = join(box.home, 'a-home')
    mkdirSync(home, {mode: 0o755})
    chmodSync(home, 0o755)
    const homeEnv = {...env, ENTRATOOL_CONFIG_DIR: home}
    const created = await runCli(createArgs('ci'), {env: homeEnv, input: CLIENT_SECRET})
    assert.equal(created.code, 0, created.stderr)
    const token = await runCli(['get-token', '-p', 'ci'], {env: homeEnv})
    assert.equal(token.code, 0, token.stderr)
    assert.equal(mode(home), 0o755, '$HOME keeps its mode')
    for (const sub of ['cache', 'secrets', 'keys']) assert.equal(mode(join(home, sub)), 0o700, sub)
    cases++
  })

  it('warns on use about a key or secret file others can read, and stops once it is 0600', async () => {
    const dir = join(box.home, 'loose')
    const looseEnv = {...env, ENTRATOOL_CONFIG_DIR: dir, ENTRATOOL_STORAGE: 'file'}
    assert.equal((await runCli(createArgs('ci'), {env: looseEnv, input: CLIENT_SECRET})).code, 0)
    assert.equal((await runCli(['get-token', '-p', 'ci'], {env: looseEnv})).code, 0)
    const keyFile = join(dir, 'keys', 'file.key')
    const secret = join(dir, 'secrets', readdirSync(join(dir, 'secrets'))[0])
    chmodSync(keyFile, 0o644)
    chmodSync(secret, 0o640)
    const loose = await runCli(['get-token', '-p', 'ci'], {env: looseEnv})
    assert.equal(loose.code, 0, loose.stderr)
    assert.match(loose.stderr, /Warning: readable by group or others: .*file\.key \(mode 644\).*\(mode 640\)/)
    assert.match(loose.stderr, /chmod 600 /)
    const doctor = await runCli(['doctor', '-p', 'ci'], {env: looseEnv})
    assert.match(doctor.stdout + doctor.stderr, /readable by group or others/)
    chmodSync(keyFile, 0o600)
    chmodSync(secret, 0o600)
    const fixed = await runCli(['get-token', '-p', 'ci'], {env: looseEnv})
    assert.equal(fixed.code, 0, fixed.stderr)
    assert.doesNotMatch(fixed.stderr, /readable by group or others/)
    cases++
  })

  it('refuses, as an unprivileged user, a config directory that belongs to another user', async function () {
    if (!asRoot || !existsSync('/usr/bin/setpriv')) this.skip()
    // The unprivileged user must be able to read this checkout (a clone under /root is not).
    const probe = await runAsNobody(['--version'], baseEnv(box.home))
    if (probe.code !== 0) this.skip()
    const home = join(box.home, 'nobody-home')
    mkdirSync(home)
    chownSync(home, NOBODY, NOBODY)
    chmodSync(box.home, 0o755)
    // Another user's directory that anyone may write into: the shared-/tmp shape of the attack.
    const foreign = join(box.home, 'foreign')
    mkdirSync(foreign)
    chmodSync(foreign, 0o777)
    const nobodyEnv = {...baseEnv(home), ENTRATOOL_CA_FILE: emu.caFile, ENTRATOOL_CONFIG_DIR: foreign}
    const res = await runAsNobody(createArgs('ci'), nobodyEnv, CLIENT_SECRET)
    assert.equal(res.code, 6, res.stderr)
    assert.match(res.stderr, /belongs to another user/)
    assert.deepEqual(readdirSync(foreign), [], 'nothing was written into the other user\'s directory')
    assert.equal(mode(foreign), 0o777, 'and its mode was not changed')

    // The same user in a directory of its own: works, and what it creates is 0700.
    const own = join(home, 'config')
    const ok = await runAsNobody(createArgs('ci'), {...nobodyEnv, ENTRATOOL_CONFIG_DIR: own}, CLIENT_SECRET)
    assert.equal(ok.code, 0, ok.stderr)
    assert.equal(statSync(own).uid, NOBODY)
    assert.equal(mode(own), 0o700)
  })
})
