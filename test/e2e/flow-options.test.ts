import assert from 'node:assert/strict'
import {execFile, execFileSync} from 'node:child_process'
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'

import {DEFAULT_TENANT_ID, PUBLIC_CLIENT_ID} from '../emulator/index.js'
import {BIN, runCli, sandbox, type Sandbox} from '../helpers/cli.js'

/**
 * A flow plugin the core has never heard of, declaring two profile options of its own: linked with
 * `entratool plugins link`, its options are flags of create-profile and edit-profile, listed by
 * help and completion, checked by type, stored and shown, with no change to the core.
 */
const FIXTURE_HOOK = `export default async function flows() {
  return [{
    contractVersion: 1,
    id: 'fixture-flow',
    kind: 'application',
    summary: 'A flow for tests',
    needs: ['nothing'],
    options: [
      {name: 'audienceTag', flag: 'audience-tag', description: 'A tag the fixture flow sends along.', type: 'string', helpValue: '<tag>', prompt: 'Audience tag'},
      {name: 'retries', flag: 'retries', description: 'How often the fixture flow tries again.', type: 'integer'},
      {name: 'verbosePolling', flag: 'verbose-polling', description: 'Whether the fixture flow talks while it waits.', type: 'boolean'},
    ],
    async load() {
      return {async acquire() { throw new Error('not for running') }}
    },
  }]
}
`

describe('a flow plugin declares profile options; the core offers them unchanged', function () {
  this.timeout(120_000)
  let box: Sandbox
  let env: Record<string, string>
  const profiles = () => JSON.parse(readFileSync(join(box.configDir, 'profiles.json'), 'utf8')).profiles
  const identity = ['--tenant-id', DEFAULT_TENANT_ID, '--client-id', PUBLIC_CLIENT_ID]

  before(async () => {
    box = sandbox()
    env = {...box.env, ENTRATOOL_STORAGE: 'file', XDG_CACHE_HOME: join(box.home, '.cache')}
    const plugin = join(box.home, 'fixture-plugin')
    mkdirSync(plugin)
    writeFileSync(join(plugin, 'package.json'), JSON.stringify({name: 'entratool-flow-fixture', oclif: {hooks: {'entratool:flows': './flows.js'}}, type: 'module', version: '1.0.0'}))
    writeFileSync(join(plugin, 'flows.js'), FIXTURE_HOOK)
    const linked = await runCli(['plugins', 'link', plugin, '--no-install'], {env})
    assert.equal(linked.code, 0, linked.stderr)
  })

  after(() => box.cleanup())

  it('help lists the new flags of create-profile and edit-profile', async () => {
    for (const command of ['create-profile', 'edit-profile']) {
      const help = await runCli([command, '--help'], {env})
      assert.equal(help.code, 0, help.stderr)
      const text = help.stdout.replaceAll(/\s+/g, ' ')
      assert.match(text, /--audience-tag=<tag> A tag the fixture flow sends along\./)
      assert.match(text, /--retries=<n> How often the fixture flow tries again\./)
      assert.match(text, /--\[no-\]verbose-polling Whether the fixture flow talks while it waits\./)
      // The built-in flows' options are still there.
      assert.match(text, /--port=<port>/)
    }
  })

  it('create-profile stores the options under their names; edit-profile changes them', async () => {
    const created = await runCli(['create-profile', '--name', 'fx', ...identity, '--flow', 'fixture-flow', '--audience-tag', 'blue', '--retries', '3', '--no-verbose-polling', '--no-prompt'], {env})
    assert.equal(created.code, 0, created.stderr)
    assert.deepEqual([profiles().fx.flow, profiles().fx.audienceTag, profiles().fx.retries, profiles().fx.verbosePolling], ['fixture-flow', 'blue', 3, false])
    const edited = await runCli(['edit-profile', '--name', 'fx', '--retries', '4'], {env})
    assert.equal(edited.code, 0, edited.stderr)
    assert.deepEqual([profiles().fx.audienceTag, profiles().fx.retries], ['blue', 4])
    const shown = await runCli(['show-profile', '-p', 'fx', '-o', 'json'], {env})
    assert.equal(shown.code, 0, shown.stderr)
    const summary = JSON.parse(shown.stdout)
    assert.deepEqual([summary.audience_tag, summary.retries, summary.verbose_polling], ['blue', 4, false])
  })

  it('values are checked by their declared type: a bad flag exits 2, a bad stored value exits 3', async () => {
    const bad = await runCli(['edit-profile', '--name', 'fx', '--retries', 'many'], {env})
    assert.equal(bad.code, 2, bad.stderr)
    assert.match(bad.stderr, /--retries: retries 'many' is invalid: give a whole number/)
    const typo = await runCli(['edit-profile', '--name', 'fx', '--retrys', '2'], {env})
    assert.equal(typo.code, 2)
    assert.match(typo.stderr, /unknown flag --retrys\. Did you mean --retries\?/)

    const file = join(box.configDir, 'profiles.json')
    const before = readFileSync(file, 'utf8')
    const doc = JSON.parse(before)
    doc.profiles.fx.retries = 'often'
    writeFileSync(file, JSON.stringify(doc))
    try {
      const listed = await runCli(['list-profiles'], {env})
      assert.equal(listed.code, 3, listed.stderr)
      assert.match(listed.stderr, /profile 'fx' has an invalid retries/)
    } finally {
      writeFileSync(file, before)
    }
  })

  it('on a terminal (tmux), create-profile asks for an option that declares a prompt', async function () {
    try {
      execFileSync('tmux', ['-V'], {stdio: 'ignore'})
    } catch {
      return this.skip()
    }

    const socket = `entratool-flow-options-${process.pid}`
    const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, '-f', '/dev/null', ...args], {encoding: 'utf8', env: {...env, TERM: 'xterm-256color'}})
    const waitFor = async (pattern: RegExp) => {
      const end = Date.now() + 20_000
      for (;;) {
        const text = tmux('capture-pane', '-p', '-t', 'term')
        if (pattern.test(text)) return text
        if (Date.now() > end) throw new Error(`timed out waiting for ${pattern}:\n${text}`)
        await sleep(50)
      }
    }

    tmux('new-session', '-d', '-s', 'term', '-x', '160', '-y', '50', 'bash --norc --noprofile')
    try {
      const line = [process.execPath, BIN, 'create-profile', '--name', 'asked', ...identity, '--authority', 'public', '--flow', 'fixture-flow', '--scope', 'api://fixture/.default'].join(' ')
      tmux('send-keys', '-t', 'term', '-l', `${line}; echo "exit=$?"`)
      tmux('send-keys', '-t', 'term', 'Enter')
      await waitFor(/Audience tag \(empty to leave it unset\)/)
      tmux('send-keys', '-t', 'term', '-l', 'green')
      tmux('send-keys', '-t', 'term', 'Enter')
      await waitFor(/exit=0/)
    } finally {
      await new Promise<void>((resolve) => execFile('tmux', ['-L', socket, 'kill-server'], () => resolve()))
    }

    assert.equal(profiles().asked.audienceTag, 'green')
  })

  it('shell completion offers the new flags', async () => {
    const built = await runCli(['autocomplete', '--refresh-cache'], {env})
    assert.equal(built.code, 0, built.stderr)
    const bash = readFileSync(join(env.XDG_CACHE_HOME, 'entratool', 'autocomplete', 'functions', 'bash', 'entratool.bash'), 'utf8')
    const createLine = bash.split('\n').find((line) => line.startsWith('create-profile '))
    assert.ok(createLine, 'bash completion has create-profile')
    for (const flag of ['--audience-tag', '--retries', '--verbose-polling', '--port']) assert.ok(createLine.includes(flag), `${flag} in ${createLine}`)
  })
})
