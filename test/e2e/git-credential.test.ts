import assert from 'node:assert/strict'
import {execFile, execFileSync, spawn} from 'node:child_process'
import {mkdirSync, readFileSync, symlinkSync, writeFileSync} from 'node:fs'
import {request} from 'node:https'
import {join} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'

import {AZURE_DEVOPS_RESOURCE, CLIENT_SECRET, CONFIDENTIAL_CLIENT_ID, DEFAULT_TENANT_ID, DEFAULT_USER, type Emulator, PUBLIC_CLIENT_ID} from '../emulator/index.js'
import {BIN, closeEmulatorSandbox, ROOT, emulatorSandbox, runCli, type Sandbox} from '../helpers/cli.js'
import {createRepository, type GitServer, startGitServer} from '../helpers/git-server.js'

function httpsStatus(url: string, caFile: string, authorization: string): Promise<number> {
  return new Promise((resolve, reject) => {
    request(url, {ca: readFileSync(caFile), headers: {authorization}}, (res) => {
      res.resume()
      resolve(res.statusCode ?? 0)
    })
      .on('error', reject)
      .end()
  })
}

interface Run {
  code: null | number
  stderr: string
  stdout: string
}

/**
 * entratool as git's credential helper, driven by Debian's real git against a loopback HTTPS git
 * server (git http-backend) that only takes Entra tokens for Azure DevOps' resource. git runs
 * detached from any terminal, so a fallback to a password prompt fails instead of waiting.
 */
describe('git with entratool as its credential helper (real git, loopback git server)', function () {
  this.timeout(120_000)
  let emu: Emulator
  let box: Sandbox
  let env: Record<string, string>
  let server: GitServer
  let gitEnv: Record<string, string>
  let work: string

  const tokenRequests = () => emu.control.requests().filter((r) => r.endpoint === 'token')

  function git(args: string[], options: {cwd?: string; env?: Record<string, string>} = {}): Promise<Run> {
    return new Promise((resolve, reject) => {
      const child = spawn('git', args, {cwd: options.cwd ?? work, detached: true, env: options.env ?? gitEnv, stdio: ['ignore', 'pipe', 'pipe']})
      let stdout = ''
      let stderr = ''
      child.stdout.on('data', (d) => (stdout += d))
      child.stderr.on('data', (d) => (stderr += d))
      const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 90_000)
      child.on('error', reject)
      child.on('close', (code) => {
        clearTimeout(timer)
        resolve({code, stderr, stdout})
      })
    })
  }

  const configValues = (key: string) => {
    try {
      return execFileSync('git', ['config', '--global', '--get-all', key], {encoding: 'utf8', env: gitEnv}).split('\n').slice(0, -1)
    } catch {
      return []
    }
  }

  before(async () => {
    ;({box, emu, env} = await emulatorSandbox())
    emu.control.setDeviceCodeBehavior({afterPolls: 1, interval: 1, mode: 'approve'})
    server = await startGitServer(emu, AZURE_DEVOPS_RESOURCE)
    const bin = join(box.home, 'bin')
    work = join(box.home, 'work')
    mkdirSync(bin)
    mkdirSync(work)
    // As `npm install -g` leaves it: `entratool` on PATH is a symlink to bin/run.js.
    symlinkSync(BIN, join(bin, 'entratool'))
    gitEnv = {
      ...env,
      GIT_AUTHOR_EMAIL: 'dev@example.test',
      GIT_AUTHOR_NAME: 'Dev',
      GIT_COMMITTER_EMAIL: 'dev@example.test',
      GIT_COMMITTER_NAME: 'Dev',
      GIT_CONFIG_GLOBAL: join(box.home, '.gitconfig'),
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_SSL_CAINFO: server.caFile,
      PATH: `${bin}:${env.PATH}`,
    }
    writeFileSync(gitEnv.GIT_CONFIG_GLOBAL, '[init]\n\tdefaultBranch = main\n')
    createRepository(server, 'repo.git', gitEnv)
    const common = ['--tenant-id', DEFAULT_TENANT_ID, '--authority', emu.authority()]
    const profiles = [
      runCli(['create-profile', '--name', 'ci', ...common, '--client-id', CONFIDENTIAL_CLIENT_ID, '--flow', 'client-credentials', '--client-secret-stdin'], {env, input: CLIENT_SECRET}),
      runCli(['create-profile', '--name', 'dev', ...common, '--client-id', PUBLIC_CLIENT_ID, '--flow', 'device-code'], {env}),
      runCli(['create-profile', '--name', 'refused', ...common, '--client-id', PUBLIC_CLIENT_ID, '--flow', 'device-code'], {env}),
      runCli(['create-profile', '--name', 'laptop', ...common, '--client-id', PUBLIC_CLIENT_ID, '--flow', 'interactive'], {env}),
      runCli(['create-profile', '--name', 'nobody', ...common, '--client-id', PUBLIC_CLIENT_ID, '--flow', 'device-code'], {env}),
    ]
    for (const res of await Promise.all(profiles)) assert.equal(res.code, 0, res.stderr)
  })

  after(async () => {
    await server?.stop()
    await closeEmulatorSandbox(emu, box)
  })

  it('without entratool, the server refuses git (401 with Basic and Bearer challenges)', async () => {
    const res = await git(['ls-remote', `${server.url}/repo.git`])
    assert.notEqual(res.code, 0)
    assert.equal(server.requests.at(-1)?.status, 401)
  })

  it('setup-git writes the empty helper, entratool, and useHttpPath; a second run changes nothing', async () => {
    const first = await runCli(['setup-git', '-p', 'ci', '--host', server.host], {env: gitEnv})
    assert.equal(first.code, 0, first.stderr)
    assert.equal(first.stdout, '')
    const key = `credential.${server.url}`
    assert.deepEqual(configValues(`${key}.helper`), ['', '!entratool git-credential -p ci'])
    assert.deepEqual(configValues(`${key}.useHttpPath`), ['true'])
    assert.match(first.stderr, new RegExp(`\\+ ${key.replaceAll('.', String.raw`\.`)}\\.helper = !entratool git-credential -p ci`))
    const second = await runCli(['setup-git', '-p', 'ci', '--host', server.host], {env: gitEnv})
    assert.equal(second.code, 0, second.stderr)
    assert.match(second.stderr, /nothing to change/)
    assert.deepEqual(configValues(`${key}.helper`), ['', '!entratool git-credential -p ci'])
  })

  it('clone, push and fetch work with an app token as the Basic password; one token request in all', async () => {
    emu.control.clearRequests()
    server.requests.length = 0
    const clone = await git(['clone', '--quiet', `${server.url}/repo.git`, 'clone'])
    assert.equal(clone.code, 0, clone.stderr)
    const repo = join(work, 'clone')
    writeFileSync(join(repo, 'change.txt'), 'pushed through entratool\n')
    for (const step of [['add', 'change.txt'], ['commit', '--quiet', '-m', 'change']]) assert.equal((await git(step, {cwd: repo})).code, 0)
    const push = await git(['push', '--quiet', 'origin', 'main'], {cwd: repo})
    assert.equal(push.code, 0, push.stderr)
    const fetch = await git(['fetch', '--quiet'], {cwd: repo})
    assert.equal(fetch.code, 0, fetch.stderr)
    // The server has the pushed commit.
    const log = execFileSync('git', ['--git-dir', join(server.root, 'repo.git'), 'log', '--format=%s', 'main'], {encoding: 'utf8'})
    assert.deepEqual(log.trim().split('\n'), ['change', 'seed'])
    const accepted = server.requests.filter((r) => r.status === 200)
    assert.ok(accepted.length >= 4, JSON.stringify(server.requests))
    assert.ok(accepted.every((r) => r.scheme === 'basic' && r.username === 'ci'))
    assert.deepEqual(tokenRequests().map((r) => r.grantType), ['client_credentials'])
    assert.equal(new Set(accepted.map((r) => r.tokenId)).size, 1, 'one token served every git command')
  })

  it('a revoked token: the refused fetch erases it, and the next fetch gets a new one with exactly one token request', async () => {
    const repo = join(work, 'clone')
    server.revokeIssuedTokens()
    await sleep(1100)
    emu.control.clearRequests()
    server.requests.length = 0
    // git 2.39 asks once per command: 401 → get (the cached, now revoked token) → 401 → erase, and fails.
    const refused = await git(['fetch', '--quiet'], {cwd: repo})
    assert.notEqual(refused.code, 0)
    assert.match(refused.stderr, /Authentication failed/)
    assert.deepEqual(tokenRequests(), [])
    const revoked = server.requests.filter((r) => r.scheme === 'basic')
    assert.deepEqual(revoked.map((r) => r.status), [401])
    server.requests.length = 0
    const next = await git(['fetch', '--quiet'], {cwd: repo})
    assert.equal(next.code, 0, next.stderr)
    assert.equal(tokenRequests().length, 1)
    const accepted = server.requests.filter((r) => r.scheme === 'basic')
    assert.ok(accepted.length > 0 && accepted.every((r) => r.status === 200 && r.tokenId), JSON.stringify(server.requests))
  })

  it('an expired token is never handed to git: once under 5 minutes are left, the next fetch makes exactly one token request', async () => {
    const repo = join(work, 'clone')
    // A lifetime just over entratool's 5-minute minimum: the token's exp is whole seconds and it is
    // saved a little after it was issued, so 303 s keeps the lifetime entratool sees above 300 s
    // (at 301 it could fall to 299.9 s, and a token living under --min-validity is served for
    // half its life: no request, a flaky test), and after 3.5 s it has under 300 s left.
    emu.control.setTokenLifetime(303)
    try {
      const forced = await runCli(['git-credential', '-p', 'ci', 'erase'], {env: gitEnv, input: `protocol=https\nhost=${server.host}\n\n`})
      assert.equal(forced.code, 0, forced.stderr)
      assert.equal((await git(['fetch', '--quiet'], {cwd: repo})).code, 0)
      await sleep(3500)
      emu.control.clearRequests()
      const fetch = await git(['fetch', '--quiet'], {cwd: repo})
      assert.equal(fetch.code, 0, fetch.stderr)
      assert.equal(tokenRequests().length, 1)
    } finally {
      emu.control.setTokenLifetime(3600)
    }
  })

  it('a delegated profile signs in during git clone with everything on stderr (device code), then answers as the user', async () => {
    assert.equal((await runCli(['setup-git', '-p', 'dev', '--host', server.host], {env: gitEnv})).code, 0)
    assert.deepEqual(configValues(`credential.${server.url}.helper`), ['', '!entratool git-credential -p dev'])
    server.requests.length = 0
    const clone = await git(['clone', `${server.url}/repo.git`, 'clone-dev'])
    assert.equal(clone.code, 0, clone.stderr)
    assert.match(clone.stderr, /enter code/i)
    assert.equal(clone.stdout, '')
    assert.ok(server.requests.some((r) => r.status === 200 && r.username === DEFAULT_USER.username))
  })

  it('an interactive profile signs in with the browser during git fetch, never touching git\'s stdin or stdout', async () => {
    assert.equal((await runCli(['setup-git', '-p', 'laptop', '--host', server.host], {env: gitEnv})).code, 0)
    const browser = join(box.home, 'browser.sh')
    const result = join(box.home, 'browser-result.json')
    writeFileSync(browser, `#!/bin/sh\nexec "${process.execPath}" "${join(ROOT, 'test/helpers/scripted-browser.mjs')}" "$1"\n`, {mode: 0o755})
    const browserEnv = {BENCH_BROWSER_CA: emu.caFile, BENCH_BROWSER_PASSWORD: DEFAULT_USER.password, BENCH_BROWSER_RESULT: result, BENCH_BROWSER_USER: DEFAULT_USER.username, BROWSER: browser}
    server.requests.length = 0
    const fetch = await git(['fetch'], {cwd: join(work, 'clone'), env: {...gitEnv, ...browserEnv}})
    assert.equal(fetch.code, 0, fetch.stderr)
    assert.equal(fetch.stdout, '')
    assert.equal(JSON.parse(readFileSync(result, 'utf8')).ok, true, 'the browser completed the sign-in')
    assert.ok(server.requests.some((r) => r.status === 200 && r.username === DEFAULT_USER.username))
  })

  it('with GIT_TERMINAL_PROMPT=0, a delegated profile that needs a sign-in fails fast, naming the get-token command', async () => {
    assert.equal((await runCli(['setup-git', '-p', 'nobody', '--host', server.host], {env: gitEnv})).code, 0)
    emu.control.clearRequests()
    const res = await git(['ls-remote', `${server.url}/repo.git`], {env: {...gitEnv, GIT_TERMINAL_PROMPT: '0'}})
    assert.notEqual(res.code, 0)
    assert.match(res.stderr, /profile 'nobody' needs a sign-in, and the caller allows no interaction \(GIT_TERMINAL_PROMPT=0\)/)
    assert.match(res.stderr, /entratool get-token --profile nobody --flow device-code/)
    assert.deepEqual(emu.control.requests().filter((r) => r.endpoint === 'devicecode' || r.endpoint === 'token'), [])
  })

  it('a refused sign-in makes git fail with entratool\'s message on stderr', async () => {
    assert.equal((await runCli(['setup-git', '-p', 'refused', '--host', server.host], {env: gitEnv})).code, 0)
    emu.control.setDeviceCodeBehavior({afterPolls: 1, interval: 1, mode: 'deny'})
    try {
      const res = await git(['ls-remote', `${server.url}/repo.git`])
      assert.notEqual(res.code, 0)
      assert.match(res.stderr, /Error: .*(declined|denied)/i)
      assert.equal(res.stdout, '')
    } finally {
      emu.control.setDeviceCodeBehavior({afterPolls: 1, interval: 1, mode: 'approve'})
    }
  })

  it('a host not set up for entratool gets no token, even with entratool as the helper for every host', async () => {
    const other = join(box.home, 'other.gitconfig')
    writeFileSync(other, '[credential]\n\thelper = !entratool git-credential -p ci\n')
    emu.control.clearRequests()
    const res = await git(['ls-remote', `${server.url}/repo.git`], {env: {...gitEnv, GIT_CONFIG_GLOBAL: other}})
    assert.notEqual(res.code, 0)
    assert.deepEqual(tokenRequests(), [])
    assert.ok(server.requests.at(-1)?.scheme === 'none')
  })

  describe('the protocol beyond what git 2.39 sends (capability[], wwwauth[], erase)', () => {
    const ask = (operation: string, lines: string[], args: string[] = []) =>
      runCli(['git-credential', '-p', 'ci', ...args, operation], {env: gitEnv, input: `${lines.join('\n')}\n\n`})
    const azureRepos = ['protocol=https', 'host=dev.azure.com', 'path=org/_git/repo']
    const claims = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'))
    const answer = (stdout: string) => stdout.split('\n').filter(Boolean).map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)])

    it('git 2.39 (no capabilities): username, password (an Azure DevOps token) and password_expiry_utc', async () => {
      const res = await ask('get', azureRepos)
      assert.equal(res.code, 0, res.stderr)
      const pairs = answer(res.stdout)
      assert.deepEqual(pairs.map(([k]) => k), ['username', 'password', 'password_expiry_utc'])
      assert.equal(pairs[0][1], 'ci')
      assert.equal(claims(pairs[1][1]).aud, AZURE_DEVOPS_RESOURCE)
      assert.ok(Math.abs(Number(pairs[2][1]) - claims(pairs[1][1]).exp) <= 2, 'the token\'s expiry, in Unix seconds')
      assert.equal(res.stderr, '', `a token is served silently: ${res.stderr}`)
    })

    it('capability[]=authtype: answers Bearer with the capability first and ephemeral=true, which the server accepts', async () => {
      const res = await ask('get', ['capability[]=authtype', 'capability[]=state', ...azureRepos, 'wwwauth[]=Basic realm="x"', 'wwwauth[]=Bearer'])
      assert.equal(res.code, 0, res.stderr)
      const pairs = answer(res.stdout)
      assert.deepEqual(pairs.map(([k]) => k), ['capability[]', 'authtype', 'credential', 'ephemeral', 'password_expiry_utc'])
      assert.deepEqual([pairs[0][1], pairs[1][1], pairs[3][1]], ['authtype', 'Bearer', 'true'])
      // What git 2.46+ then sends: `Authorization: <authtype> <credential>`.
      const status = await httpsStatus(`${server.url}/repo.git/info/refs?service=git-upload-pack`, server.caFile, `${pairs[1][1]} ${pairs[2][1]}`)
      assert.equal(status, 200)
      assert.equal(server.requests.at(-1)?.scheme, 'bearer')
    })

    it('capability[]=authtype but only a Basic challenge: username and password', async () => {
      const res = await ask('get', ['capability[]=authtype', ...azureRepos, 'wwwauth[]=Basic realm="x"'])
      assert.equal(res.code, 0, res.stderr)
      assert.deepEqual(answer(res.stdout).map(([k]) => k), ['username', 'password', 'password_expiry_utc'])
    })

    it('erase drops the refused token, so the next get makes exactly one token request; a stale erase keeps a newer token', async () => {
      const first = answer((await ask('get', azureRepos)).stdout)[1][1]
      const stale = await ask('erase', [...azureRepos, 'username=ci', 'password=an.older.token'])
      assert.equal(stale.code, 0, stale.stderr)
      emu.control.clearRequests()
      assert.equal(answer((await ask('get', azureRepos)).stdout)[1][1], first)
      assert.deepEqual(tokenRequests(), [])
      const erase = await ask('erase', [...azureRepos, 'username=ci', `password=${first}`])
      assert.equal(erase.code, 0, erase.stderr)
      assert.equal(erase.stdout, '')
      const next = answer((await ask('get', azureRepos)).stdout)[1][1]
      assert.notEqual(next, first)
      assert.equal(tokenRequests().length, 1)
    })

    it('store and unknown operations: nothing to do, exit 0; plain http and unknown hosts: an empty answer', async () => {
      for (const [operation, lines] of [
        ['store', [...azureRepos, 'username=ci', 'password=x']],
        ['frobnicate', azureRepos],
        ['get', ['protocol=http', 'host=dev.azure.com']],
        ['get', ['protocol=https', 'host=github.com']],
      ] as const) {
        const res = await ask(operation, [...lines])
        assert.deepEqual([res.code, res.stdout], [0, ''], `${operation} ${lines.join(' ')}: ${res.stderr}`)
      }
    })

    it('the start-up fast path serves store and a cached get, exactly as the full path answers, and leaves erase to oclif', async () => {
      const fast = (operation: string, input: string) =>
        new Promise<Run>((resolve) => {
          const script = `const m = await import(${JSON.stringify(join(ROOT, 'dist', 'git', 'fast-path.js'))}); const served = await m.tryFastGitCredential(['git-credential', '-p', 'ci', '${operation}'], process.env, process.stdin, ${JSON.stringify(BIN)}); console.error(JSON.stringify({served}))`
          const child = spawn(process.execPath, ['--input-type=module', '-e', script], {env: gitEnv})
          let stdout = ''
          let stderr = ''
          child.stdout.on('data', (d) => (stdout += d))
          child.stderr.on('data', (d) => (stderr += d))
          child.on('close', (code) => resolve({code, stderr, stdout}))
          child.stdin.end(input)
        })
      const served = (res: Run) => JSON.parse(res.stderr.trim().split('\n').at(-1)!).served
      const request = `${azureRepos.join('\n')}\n\n`
      const full = await runCli(['git-credential', '-p', 'ci', 'get'], {env: {...gitEnv, ENTRATOOL_DEBUG: '1'}, input: request})
      assert.equal(full.code, 0, full.stderr)
      emu.control.clearRequests()
      const get = await fast('get', request)
      assert.equal(served(get), true, get.stderr)
      assert.equal(get.stdout, full.stdout)
      assert.deepEqual(tokenRequests(), [])
      const store = await fast('store', `${request.trim()}\nusername=ci\npassword=x\n\n`)
      assert.deepEqual([served(store), store.stdout], [true, ''])
      const other = await fast('get', 'protocol=https\nhost=github.com\n\n')
      assert.deepEqual([served(other), other.stdout], [true, ''])
      assert.equal(served(await fast('erase', request)), false)
    })

    it('--scope overrides the resource', async () => {
      const res = await ask('get', azureRepos, ['--scope', 'api://entratool-demo-api/.default'])
      assert.equal(res.code, 0, res.stderr)
      assert.equal(claims(answer(res.stdout)[1][1]).aud, 'api://entratool-demo-api')
    })
  })

  it('setup-git --local outside a repository: exit 3, saying so, and nothing written', async () => {
    const before = readFileSync(gitEnv.GIT_CONFIG_GLOBAL, 'utf8')
    const res = await new Promise<Run>((resolve) => {
      execFile(process.execPath, [BIN, 'setup-git', '-p', 'ci', '--local'], {cwd: box.home, env: gitEnv}, (error, stdout, stderr) => resolve({code: error ? Number(error.code) : 0, stderr, stdout}))
    })
    assert.equal(res.code, 3, res.stderr)
    assert.match(res.stderr, /--local needs a git repository/)
    assert.equal(readFileSync(gitEnv.GIT_CONFIG_GLOBAL, 'utf8'), before)
  })

  it('setup-git --remove takes the entries out (and the emptied section), twice is harmless', async () => {
    const res = await runCli(['setup-git', '--remove', '--host', server.host], {env: gitEnv})
    assert.equal(res.code, 0, res.stderr)
    assert.deepEqual(configValues(`credential.${server.url}.helper`), [])
    assert.deepEqual(configValues(`credential.${server.url}.useHttpPath`), [])
    assert.doesNotMatch(execFileSync('git', ['config', '--global', '--list'], {encoding: 'utf8', env: gitEnv}), /credential/)
    const again = await runCli(['setup-git', '--remove', '--host', server.host], {env: gitEnv})
    assert.equal(again.code, 0, again.stderr)
    assert.match(again.stderr, /nothing to change/)
  })
})
