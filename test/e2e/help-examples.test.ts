import assert from 'node:assert/strict'
import {execFileSync, spawn} from 'node:child_process'
import {chmodSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'

import {emulatorRequest} from '../emulator/http-client.js'
import {API_APP_ID_URI, CLIENT_SECRET, CONFIDENTIAL_CLIENT_ID, DEFAULT_TENANT_ID, DEFAULT_USER, type Emulator, PUBLIC_CLIENT_ID, startEmulator} from '../emulator/index.js'
import {type BrowserCommand, browserCommand} from '../helpers/browser-command.js'
import {BIN, closeEmulatorSandbox, ROOT, runCli, type Sandbox, sandbox} from '../helpers/cli.js'
import {endTmuxShell} from '../helpers/tmux.js'

/**
 * Commands whose examples another test file covers (export/import have their own suite; serve-identity
 * and exec: test/identity/help-examples.test.ts; rekey changes the key of the config dir the other
 * examples use: test/hardening/damaged-store.test.ts runs each of its examples).
 */
const COVERED_ELSEWHERE = new Set(['export-profile', 'exec', 'import-profile', 'rekey', 'serve-identity'])

const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as {commands: Record<string, {examples?: (string | {command: string})[]; pluginName: string}>}
const EXAMPLES = Object.entries(manifest.commands)
  .filter(([id, c]) => c.pluginName === 'entratool' && !COVERED_ELSEWHERE.has(id))
  .flatMap(([, c]) => (c.examples ?? []).map((e) => (typeof e === 'string' ? e : e.command).replaceAll('<%= config.bin %>', 'entratool')))

/**
 * Every `--help` example is run here, exactly as printed, by bash with `entratool` on PATH, in the
 * order a person would try them; steps marked `setup` only point profiles at the local emulator.
 */
describe('--help examples are real invocations that work', () => {
  let emu: Emulator
  let box: Sandbox
  let env: Record<string, string>
  let cwd: string
  let browser: BrowserCommand
  const ran = new Set<string>()

  before(async () => {
    emu = await startEmulator()
    box = sandbox()
    const bin = join(box.home, 'bin')
    cwd = join(box.home, 'work')
    mkdirSync(bin)
    mkdirSync(cwd)
    writeFileSync(join(bin, 'entratool'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`)
    chmodSync(join(bin, 'entratool'), 0o755)
    browser = browserCommand(box.home, 'chromium-sign-in.mjs')
    env = {
      ...box.env,
      APP: CONFIDENTIAL_CLIENT_ID,
      BROWSER: browser.path,
      // A resource's 401 challenge asking for an authentication context (claims, base64).
      HDR: `Bearer realm="", error="insufficient_claims", claims="${Buffer.from('{"access_token":{"acrs":{"essential":true,"value":"c1"}}}').toString('base64')}"`,
      ENTRATOOL_CA_FILE: emu.caFile,
      NEW_SECRET: CLIENT_SECRET,
      PATH: `${bin}:${box.env.PATH}`,
      SECRET: CLIENT_SECRET,
      SIGN_IN_PASSWORD: DEFAULT_USER.password,
      SIGN_IN_USER: DEFAULT_USER.username,
      TENANT: DEFAULT_TENANT_ID,
    }
  })

  after(async () => {
    try {
      await browser?.settled()
    } finally {
      await closeEmulatorSandbox(emu, box)
    }
  })

  /**
   * Runs an example (or a setup line) in bash; `check` is appended to assert what it produced.
   * Asynchronous: the emulator answers from this process.
   */
  function bash(line: string, check = ''): Promise<{code: null | number; stderr: string; stdout: string}> {
    return new Promise((resolve, reject) => {
      const child = spawn('bash', ['--norc', '--noprofile', '-c', `set -o pipefail\n${line}${check ? `\n${check}` : ''}`], {cwd, env, stdio: ['ignore', 'pipe', 'pipe']})
      let stdout = ''
      let stderr = ''
      child.stdout.on('data', (d) => (stdout += d))
      child.stderr.on('data', (d) => (stderr += d))
      const timer = setTimeout(() => child.kill('SIGKILL'), 90_000)
      child.on('error', reject)
      child.on('close', (code) => {
        clearTimeout(timer)
        resolve({code, stderr, stdout})
      })
    })
  }

  async function example(line: string, check = ''): Promise<string> {
    assert.ok(EXAMPLES.includes(line), `not a --help example (any more?): ${line}`)
    const res = await bash(line, check)
    assert.equal(res.code, 0, `${line}\n${res.stderr}`)
    ran.add(line)
    return res.stdout
  }

  async function setup(line: string): Promise<void> {
    const res = await bash(line)
    assert.equal(res.code, 0, `${line}\n${res.stderr}`)
  }

  it('profile examples: create, edit, show, list', async () => {
    await example('entratool create-profile --name work --tenant-id contoso.onmicrosoft.com --client-id 00000000-0000-0000-0000-000000000001 --flow interactive --scope https://graph.microsoft.com/User.Read')
    await example('entratool edit-profile --name work --scope https://graph.microsoft.com/Mail.Read --default')
    assert.match(await example('entratool show-profile --name work'), /Mail\.Read/)
    assert.equal(JSON.parse(await example('entratool show-profile -p work -o json')).default, true)
    await example('printf %s "$SECRET" | entratool create-profile --name ci --tenant-id $TENANT --client-id $APP --flow client-credentials --scope api://my-api/.default --client-secret-stdin')
    await setup(`entratool edit-profile --name ci --authority ${emu.authority()} --scope ${API_APP_ID_URI}/.default`)
    await example('printf %s "$NEW_SECRET" | entratool edit-profile --name ci --client-secret-stdin')
    assert.match(await example('entratool list-profiles'), /\bci\b[\s\S]*\bwork\b/)
    assert.equal(await example('entratool list-profiles -o json | jq -r ".[].name"'), 'ci\nwork\n')
  })

  it('token examples for scripts: -o json | jq, -o env, inspect', async () => {
    await example('TOKEN=$(entratool get-token -p ci -o json | jq -r .access_token)', '[ "$(printf %s "$TOKEN" | tr -cd . | wc -c)" -eq 2 ]')
    await example('eval "$(entratool get-token -p ci -o env)"', '[ -n "$ENTRA_ACCESS_TOKEN" ] && [ -n "$ENTRA_TOKEN_EXPIRES_ON" ]')
    assert.match(await example('entratool get-token -p ci | entratool inspect -'), /api:\/\/entratool-demo-api/)
    await setup('entratool get-token -p ci > token.jwt')
    assert.equal(JSON.parse(await example('entratool inspect --file token.jwt -o json --claims')).appid, CONFIDENTIAL_CLIENT_ID)
  })

  it('git examples: the credential helper, and setup-git writing, keeping and removing its entries', async () => {
    const answer = await example('printf "protocol=https\\nhost=dev.azure.com\\n\\n" | entratool git-credential -p ci get')
    assert.match(answer, /^username=ci\npassword=[\w-]+\.[\w-]+\.[\w-]+\npassword_expiry_utc=\d+\n$/)
    await example("git config --global credential.https://dev.azure.com.helper '!entratool git-credential -p ci'")
    const helpers = () => bash('git config --global --get-all credential.https://dev.azure.com.helper').then((r) => r.stdout.split('\n').slice(0, -1))
    await example('entratool setup-git -p work')
    // `entratool` on this PATH is a wrapper script, not the program itself: the line names run.js by path.
    assert.deepEqual(await helpers(), ['', `!${BIN} git-credential -p work`])
    await example('entratool setup-git -p ci --host git.example.com:8443')
    await setup('git init --quiet repo')
    await example('cd repo && entratool setup-git -p ci --local', '[ "$(git config --local credential.https://dev.azure.com.usehttppath)" = true ]')
    await example('entratool setup-git --remove')
    assert.deepEqual(await helpers(), [])
  })

  it('flows examples', async () => {
    assert.match(await example('entratool flows'), /managed-identity/)
    assert.equal(await example('entratool flows -o json | jq -r ".flows[].id"'), 'client-credentials\ndevice-code\ninteractive\nmanaged-identity\n')
  })

  it('version examples', async () => {
    assert.match(await example('entratool version'), /^entratool\/\d+\.\d+\.\d+ \S+ node-v\S+( commit [0-9a-f]{40})?\n$/)
    assert.match(await example('entratool version -o json | jq -r .version'), /^\d+\.\d+\.\d+\n$/)
  })

  it('az/azd shim examples: install, answer az from the cache, uninstall', async () => {
    await example('entratool shim install')
    await example('eval "$(entratool shim install -p ci)"', `[ "$(command -v az)" = "$HOME/.local/share/entratool/shims/az" ] && az account get-access-token --resource ${API_APP_ID_URI} --query accessToken -o tsv | grep -q '^ey'`)
    await example('entratool shim uninstall')
    await example('entratool shim uninstall --dir ~/bin/entratool-shims')
  })

  it('kubeconfig convert examples: a dry run, one context, one profile for all', async () => {
    const user = (name: string, server: string) => `- name: ${name}
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: kubelogin
      args: [get-token, --login, devicecode, --server-id, ${server}, --tenant-id, ${DEFAULT_TENANT_ID}]
`
    const kubeconfig = (contexts: string[]) => `apiVersion: v1
kind: Config
clusters:
- {name: c, cluster: {server: "https://127.0.0.1:1"}}
contexts:
${contexts.map((c) => `- {name: ${c}, context: {cluster: c, user: ${c}-user}}`).join('\n')}
users:
${contexts.map((c) => user(`${c}-user`, `api://${c}`)).join('')}`
    mkdirSync(join(box.home, '.kube'))
    writeFileSync(join(box.home, '.kube', 'config'), kubeconfig(['home']))
    writeFileSync(join(cwd, 'aks.yaml'), kubeconfig(['aks-dev', 'aks-prod']))
    assert.match(await example('entratool kubeconfig convert --dry-run'), /^\+ {6}command: entratool$/m)
    assert.match(readFileSync(join(box.home, '.kube', 'config'), 'utf8'), /command: kubelogin/)
    await example('entratool kubeconfig convert --kubeconfig ./aks.yaml --context aks-dev')
    assert.match(readFileSync(join(cwd, 'aks.yaml'), 'utf8'), /--profile, kube-aks-dev-user,[\s\S]*command: kubelogin/)
    await example('entratool kubeconfig convert --kubeconfig ./aks.yaml -p work')
    assert.match(readFileSync(join(cwd, 'aks.yaml'), 'utf8'), /--profile, work, --scope, api:\/\/aks-prod\/.default/)
  })

  it('interactive sign-in examples (a headless browser as $BROWSER), then silent reuse and refresh', async function () {
    this.timeout(120_000)
    await setup(`entratool edit-profile --name work --tenant-id $TENANT --client-id ${PUBLIC_CLIENT_ID} --authority ${emu.authority()}`)
    assert.equal((await example('entratool get-token --flow interactive')).trim().split('.').length, 3)
    await example('entratool get-token -p work --scope https://graph.microsoft.com/User.Read')
    await setup(`entratool create-profile --name myapp --tenant-id $TENANT --client-id ${PUBLIC_CLIENT_ID} --authority ${emu.authority()} --scope ${API_APP_ID_URI}/Data.Read`)
    await example('entratool get-token --flow interactive --profile myapp')
    assert.match(await example('entratool inspect --profile myapp'), /Data\.Read/)
    assert.equal((await example('entratool get-token -p work --www-authenticate "$HDR"')).trim().split('.').length, 3)
    await example('entratool refresh --profile myapp')
    assert.equal(JSON.parse(await example('entratool refresh -p myapp -o json -q')).from_cache, false)
    await example('entratool clear-cache --profile myapp')
    await example('entratool clear-cache --all')
    await example('entratool delete-profile --name myapp')
    await setup('entratool create-profile --name myapp --tenant-id $TENANT --client-id $APP')
    await example('entratool delete-profile --name myapp --yes')
  })

  it('doctor examples (the default profile points at the emulator by now)', async () => {
    assert.match(await example('entratool doctor'), /^✓ authority: https:\/\/127\.0\.0\.1:\d+\/\S+ answers/m)
    assert.match(await example('entratool doctor -p work'), /^✓ profile: work /m)
    assert.equal(await example('entratool doctor -o json | jq -r \'.checks[] | select(.status != "ok") | .fix\''), '')
  })

  describe('on a terminal (tmux)', () => {
    const socket = `entratool-examples-${process.pid}`
    const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, '-f', '/dev/null', ...args], {cwd, encoding: 'utf8', env})

    async function waitFor(pattern: RegExp, timeoutMs = 20_000): Promise<string> {
      const end = Date.now() + timeoutMs
      for (;;) {
        const text = tmux('capture-pane', '-p', '-t', 'term')
        if (pattern.test(text)) return text
        if (Date.now() > end) throw new Error(`timed out waiting for ${pattern}:\n${text}`)
        await sleep(100)
      }
    }

    function type(text: string): void {
      tmux('send-keys', '-t', 'term', '-l', text)
      tmux('send-keys', '-t', 'term', 'Enter')
    }

    before(async function () {
      try {
        execFileSync('tmux', ['-V'], {stdio: 'ignore'})
      } catch {
        return this.skip()
      }

      tmux('new-session', '-d', '-s', 'term', '-x', '160', '-y', '50', 'bash --norc --noprofile')
      type('PS1="$ "; echo READY')
      await waitFor(/^READY$/m)
    })

    after(() => endTmuxShell(socket, 'term'))

    it('create-profile --name interactive-app asks for what its flags did not give', async () => {
      const line = 'entratool create-profile --name interactive-app'
      assert.ok(EXAMPLES.includes(line))
      type(line)
      await waitFor(/Tenant ID/)
      type(DEFAULT_TENANT_ID)
      await waitFor(/Client ID/)
      type(PUBLIC_CLIENT_ID)
      await waitFor(/Cloud/)
      tmux('send-keys', '-t', 'term', 'Enter')
      await waitFor(/Default flow/)
      type('device-code')
      await waitFor(/Scopes/)
      type('')
      await waitFor(/Profile 'interactive-app' created/)
      ran.add(line)
      const shown = await runCli(['show-profile', '--name', 'interactive-app', '-o', 'json'], {env})
      assert.deepEqual(JSON.parse(shown.stdout).flow, 'device-code')
    })

    it('get-token --paste-redirect reads the address pasted at the terminal', async () => {
      const line = 'entratool get-token -p work --paste-redirect --force --no-browser'
      assert.ok(EXAMPLES.includes(line))
      type(`clear; ${line}`)
      const screen = await waitFor(/^Address:/m, 60_000)
      const joined = tmux('capture-pane', '-p', '-J', '-t', 'term')
      const authorizeUrl = /https:\/\/127\.0\.0\.1:\d+\/\S+\/oauth2\/v2\.0\/authorize\?\S+/.exec(joined)?.[0]
      assert.ok(authorizeUrl, screen)
      const answer = await emulatorRequest(emu, 'POST', authorizeUrl, {form: {action: 'signin', password: DEFAULT_USER.password, username: DEFAULT_USER.username}})
      type(String(answer.headers.location))
      await waitFor(/Token saved to profile 'work'/)
      ran.add(line)
    })

    it('a mistyped command asks "Did you mean …?" and runs the suggestion when confirmed', async () => {
      type('clear; entratool flow')
      await waitFor(/Did you mean `entratool flows`\?/)
      tmux('send-keys', '-t', 'term', 'Enter')
      await waitFor(/client-credentials: Act as the application itself/)
    })

    it('declined, the mistyped command is the usual usage error (exit 2)', async () => {
      type('clear; entratool flow; echo "rc=$?"')
      await waitFor(/Did you mean `entratool flows`\?/)
      type('n')
      const screen = await waitFor(/rc=\d+/)
      assert.match(screen, /^Error: 'flow' is not an entratool command\. Did you mean `entratool flows`\?\n→ run `entratool help` for a list of commands\nrc=2$/m)
    })
  })

  it('without a terminal a mistyped command exits 2 with the suggestion on stderr, like every other error', async () => {
    const typo = await runCli(['get-tokn', '-p', 'ci'], {env})
    assert.equal(typo.code, 2)
    assert.equal(typo.stdout, '')
    assert.equal(typo.stderr, "Error: 'get-tokn' is not an entratool command. Did you mean `entratool get-token`?\n→ run `entratool help` for a list of commands\n")
    const nothing = await runCli(['frobnicate'], {env})
    assert.equal(nothing.code, 2)
    assert.equal(nothing.stderr, "Error: 'frobnicate' is not an entratool command.\n→ run `entratool help` for a list of commands\n")
  })

  // Nested suites run after the tests above: this one comes last.
  describe('coverage', () => {
    it('every --help example was run by this file', () => {
      assert.deepEqual(EXAMPLES.filter((e) => !ran.has(e)), [])
    })
  })
})
