import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {chmodSync, mkdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'

import {DEFAULT_TENANT_ID, PUBLIC_CLIENT_ID} from '../emulator/index.js'
import {BIN, runCli, sandbox} from '../helpers/cli.js'
import {exampleBuild} from '../helpers/example-plugin.js'
import {endTmuxShell} from '../helpers/tmux.js'

const has = (command: string) => {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], {stdio: 'ignore'})
    return true
  } catch {
    return false
  }
}

const MARKER = 'Added by entratool: values for --profile/-p/--name and --flow/-f'

describe('shell completion (plugin-autocomplete + profile and flow values from `entratool __complete`)', () => {
  let box: ReturnType<typeof sandbox>
  let env: Record<string, string>
  let functions: string

  before(function () {
    // Packs the core and builds the example plugin against it, as a plugin author would.
    this.timeout(180_000)
    exampleBuild()
  })

  before(async () => {
    box = sandbox()
    const bin = join(box.home, 'bin')
    mkdirSync(bin)
    // The completion functions call `entratool` as a user's shell would find it on PATH.
    writeFileSync(join(bin, 'entratool'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`)
    chmodSync(join(bin, 'entratool'), 0o755)
    env = {...box.env, PATH: `${bin}:${box.env.PATH}`, XDG_CACHE_HOME: join(box.home, '.cache')}
    functions = join(env.XDG_CACHE_HOME, 'entratool', 'autocomplete', 'functions')
    for (const name of ['work', 'ci']) {
      const res = await runCli(['create-profile', '--name', name, '--tenant-id', DEFAULT_TENANT_ID, '--client-id', PUBLIC_CLIENT_ID], {env})
      assert.equal(res.code, 0, res.stderr)
    }

    const built = await runCli(['autocomplete', '--refresh-cache'], {env})
    assert.equal(built.code, 0, built.stderr)
  })

  after(() => box?.cleanup())

  /** Runs bash's completion function for a command line as bash would on Tab (the cursor at its end). */
  function bashComplete(line: string): string[] {
    const words = line.split(' ')
    const script = `eval "$(entratool autocomplete script bash)"
fn=$(complete -p entratool | sed -E 's/.* -F ([^ ]+) .*/\\1/')
COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; COMP_LINE='${line}'; COMP_POINT=${line.length}
"$fn" entratool "\${COMP_WORDS[COMP_CWORD]}" "\${COMP_WORDS[COMP_CWORD-1]}"
printf '%s\\n' "\${COMPREPLY[@]}"`
    return execFileSync('bash', ['--norc', '--noprofile', '-c', script], {encoding: 'utf8', env}).split('\n').filter(Boolean)
  }

  it('`__complete` prints the profiles and flows that exist now', async () => {
    assert.equal((await runCli(['__complete', 'profiles'], {env})).stdout, 'ci\nwork\n')
    assert.equal((await runCli(['__complete', 'flows'], {env})).stdout, 'client-credentials\ndevice-code\ninteractive\nmanaged-identity\n')
  })

  it('the generated bash, zsh and PowerShell scripts carry the value completion', () => {
    for (const file of [join(functions, 'bash', 'entratool.bash'), join(functions, 'zsh', '_entratool'), join(functions, 'powershell', 'entratool.ps1')]) {
      assert.ok(readFileSync(file, 'utf8').includes(MARKER), file)
    }

    const zsh = readFileSync(join(functions, 'zsh', '_entratool'), 'utf8')
    assert.match(zsh, /\{-p,--profile\}"\[Profile to use[^\n]*\]:profile:_entratool_profiles"/)
    assert.match(zsh, /\{-f,--flow\}"\[Flow to run[^\n]*\]:flow:_entratool_flows"/)
    const ps1 = readFileSync(join(functions, 'powershell', 'entratool.ps1'), 'utf8')
    assert.match(ps1, /entratool __complete \$what/)
  })

  it('bash: --flow and -f complete the installed flows, --profile/-p/--name the profiles', () => {
    assert.deepEqual(bashComplete('entratool get-token --flow '), ['client-credentials', 'device-code', 'interactive', 'managed-identity'])
    assert.deepEqual(bashComplete('entratool get-token -f dev'), ['device-code'])
    assert.deepEqual(bashComplete('entratool get-token --flow = man'), ['managed-identity'])
    assert.deepEqual(bashComplete('entratool get-token -p '), ['ci', 'work'])
    assert.deepEqual(bashComplete('entratool get-token --profile w'), ['work'])
    assert.deepEqual(bashComplete('entratool show-profile --name '), ['ci', 'work'])
    assert.deepEqual(bashComplete('entratool create-profile --name '), [])
  })

  it('bash: commands and flags still complete, also after a flag with a value', () => {
    assert.deepEqual(bashComplete('entratool get-t'), ['get-token'])
    assert.deepEqual(bashComplete('entratool get-token --fo'), ['--force'])
    assert.deepEqual(bashComplete('entratool get-token -p work --fo'), ['--force'])
  })

  it('bash: a new profile completes at once, no cache to refresh', async () => {
    const res = await runCli(['create-profile', '--name', 'wonderland', '--tenant-id', DEFAULT_TENANT_ID, '--client-id', PUBLIC_CLIENT_ID], {env})
    assert.equal(res.code, 0, res.stderr)
    assert.deepEqual(bashComplete('entratool get-token -p w'), ['wonderland', 'work'])
  })

  it('bash: a plugin installed later is completed, and the regenerated scripts keep the value completion', async () => {
    const offline = {...env, npm_config_cache: join(box.home, 'npm-cache'), npm_config_offline: 'true', npm_config_registry: 'http://127.0.0.1:9/'}
    const tarball = join(box.home, execFileSync('npm', ['pack', '--pack-destination', box.home, '--silent'], {cwd: exampleBuild().dir, encoding: 'utf8', env: offline}).trim())
    const file = join(functions, 'bash', 'entratool.bash')
    const writtenBefore = statSync(file).mtimeMs
    const installed = await runCli(['plugins', 'install', tarball], {env: offline, timeoutMs: 120_000})
    assert.equal(installed.code, 0, installed.stderr)
    assert.deepEqual(bashComplete('entratool get-token --flow c'), ['client-credentials', 'client-secret-example'])
    assert.ok(statSync(file).mtimeMs > writtenBefore, 'plugin-autocomplete regenerates its scripts on plugins install')
    assert.equal(readFileSync(file, 'utf8').split(MARKER).length, 2, 'the value completion is added once')
  })

  describe('zsh, typed into a real terminal (tmux)', () => {
    const socket = `entratool-completion-${process.pid}`
    const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, '-f', '/dev/null', ...args], {encoding: 'utf8', env})
    const screen = () => tmux('capture-pane', '-p', '-t', 'zsh')

    async function waitFor(pattern: RegExp, timeoutMs = 15_000): Promise<string> {
      const end = Date.now() + timeoutMs
      for (;;) {
        const text = screen()
        if (pattern.test(text)) return text
        if (Date.now() > end) throw new Error(`timed out waiting for ${pattern} on the screen:\n${text}`)
        await sleep(100)
      }
    }

    async function typeAndTab(line: string, expected: RegExp): Promise<string> {
      tmux('send-keys', '-t', 'zsh', 'C-u')
      tmux('send-keys', '-t', 'zsh', '-l', line)
      tmux('send-keys', '-t', 'zsh', 'Tab')
      return waitFor(expected)
    }

    before(async function () {
      if (!has('zsh') || !has('tmux')) return this.skip()
      tmux('new-session', '-d', '-s', 'zsh', '-x', '200', '-y', '50', 'zsh -f')
      tmux('send-keys', '-t', 'zsh', '-l', 'PS1="zsh> "; eval "$(entratool autocomplete script zsh)"; echo READY')
      tmux('send-keys', '-t', 'zsh', 'Enter')
      await waitFor(/^READY$/m)
    })

    after(() => endTmuxShell(socket, 'zsh'))

    it('offers the installed flows after --flow', async () => {
      const text = await typeAndTab('entratool get-token --flow ', /managed-identity/)
      for (const flow of ['client-credentials', 'client-secret-example', 'device-code', 'interactive', 'managed-identity']) assert.ok(text.includes(flow), text)
    })

    it('completes a profile name after -p', async () => {
      await typeAndTab('entratool get-token -p c', /zsh> entratool get-token -p ci\s*$/m)
    })

    it('offers the profiles after show-profile --name', async () => {
      const text = await typeAndTab('entratool show-profile --name ', /wonderland/)
      for (const profile of ['ci', 'work', 'wonderland']) assert.match(text, new RegExp(`\\b${profile}\\b`))
    })
  })
})
