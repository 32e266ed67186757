import assert from 'node:assert/strict'
import {execFileSync, spawn} from 'node:child_process'
import {lstatSync, mkdirSync, readFileSync} from 'node:fs'
import {basename, dirname, join} from 'node:path'

import {API_APP_ID_URI, CLIENT_SECRET, CONFIDENTIAL_CLIENT_ID, DEFAULT_TENANT_ID, type Emulator} from '../emulator/index.js'
import {closeEmulatorSandbox, emulatorSandbox, ROOT, type Sandbox} from '../helpers/cli.js'

const FLOWS = ['client-credentials', 'device-code', 'interactive', 'managed-identity']

/**
 * Any `@entratool/*` name npm tried to fetch would go to this closed loopback port and fail the
 * install: the flow plugins must come from inside the tarball (no dependency confusion).
 */
const NO_ENTRATOOL_REGISTRY = '--@entratool:registry=http://127.0.0.1:9/'

/** npm as a person runs it: their npm cache (filled by `npm ci`), none of mocha's npm_* settings. */
function npmEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k, v]) => v !== undefined && !/^npm_/i.test(k))) as Record<string, string>
  return {...env, NO_COLOR: '1', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false', ...extra}
}

function run(command: string, args: string[], options: {cwd?: string; env: Record<string, string>; input?: string; timeoutMs?: number}): Promise<{code: null | number; stderr: string; stdout: string}> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {cwd: options.cwd, env: options.env, stdio: ['pipe', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({code, stderr, stdout})
    })
    child.stdin.end(options.input ?? '')
  })
}

/**
 * The release path: `npm pack`, then `npm install -g <tarball>` into an empty prefix, then the
 * installed `entratool` (not this checkout) against the emulator. The tarball is packed from the
 * built tree with --ignore-scripts (its `prepack` is `npm run build`, which `npm test` has just
 * run; manifest.test.ts checks the build is fresh). npm uses its cache from `npm ci`, preferring it
 * to the network.
 */
describe('the packed tarball installs and works (npm pack → npm install -g)', function () {
  this.timeout(180_000)
  let emu: Emulator
  let box: Sandbox
  let env: Record<string, string>
  let tarball: string
  let files: string[]
  let prefix: string
  let entratool: string

  before(async () => {
    ;({box, emu, env} = await emulatorSandbox())
    const packDir = join(box.home, 'pack')
    prefix = join(box.home, 'prefix')
    mkdirSync(packDir)
    const packed = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', packDir], {cwd: ROOT, env: npmEnv()})
    assert.equal(packed.code, 0, packed.stderr)
    const [info] = JSON.parse(packed.stdout) as {filename: string}[]
    tarball = join(packDir, info.filename)
    files = execFileSync('tar', ['-tzf', tarball], {encoding: 'utf8'}).trim().split('\n')
    entratool = join(prefix, 'bin', 'entratool')
  })

  after(() => closeEmulatorSandbox(emu, box))

  it('holds the four flow plugins, each with its own package.json and built dist', () => {
    for (const flow of FLOWS) {
      const dir = `package/node_modules/@entratool/flow-${flow}`
      assert.ok(files.includes(`${dir}/package.json`), `${dir}/package.json missing`)
      assert.ok(files.includes(`${dir}/dist/hooks/flows.js`), `${dir}/dist/hooks/flows.js missing`)
      assert.ok(!files.some((f) => f.startsWith(`${dir}/src/`)), `${dir}/src is packed`)
    }

    const pkg = JSON.parse(execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], {encoding: 'utf8'}))
    assert.deepEqual(pkg.bundleDependencies, FLOWS.map((f) => `@entratool/flow-${f}`))
    for (const name of pkg.bundleDependencies) assert.ok(pkg.dependencies[name], `${name} is bundled but not a dependency (oclif loads core plugins from dependencies)`)
    assert.ok(files.includes('package/oclif.manifest.json'))
    assert.ok(files.includes('package/bin/run.js'))
  })

  it('holds no tests, sources, secrets, git data or build leftovers', () => {
    const own = files.filter((f) => !f.startsWith('package/node_modules/'))
    const unwanted = own.filter((f) => /^package\/(test|src|scripts|bench|plugins|examples|\.ci|\.git|docs)\//.test(f) || /\.tsbuildinfo$|\.test\.|(?<!\.d)\.ts$|\/\.git\/|\/\.npmrc$|\/\.env|\.(pem|key|pfx|p12)$/.test(f))
    assert.deepEqual(unwanted, [])
    assert.ok(!files.includes('package/bin/dev.js'), 'bin/dev.js needs tsx, a devDependency')
    assert.ok(!files.some((f) => /\/\.git\//.test(f) || /(^|\/)(\.env|id_rsa|.*\.pem|.*\.pfx)$/.test(f)))
  })

  it('installs with `npm install -g` into an empty prefix, resolving no @entratool/* name from a registry', async () => {
    const res = await run('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', NO_ENTRATOOL_REGISTRY, tarball], {env: npmEnv(), timeoutMs: 150_000})
    assert.equal(res.code, 0, res.stderr)
    const installed = join(prefix, 'lib', 'node_modules', 'entratool')
    for (const flow of FLOWS) {
      const dir = join(installed, 'node_modules', '@entratool', `flow-${flow}`)
      assert.ok(lstatSync(dir).isDirectory() && !lstatSync(dir).isSymbolicLink(), `${dir} is not a real directory`)
      assert.equal(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name, `@entratool/flow-${flow}`)
    }

    assert.ok(lstatSync(entratool).isSymbolicLink())
  })

  it('-h, -v, version and --version answer from the installed copy (no commit: not a git checkout)', async () => {
    const help = await run(entratool, ['-h'], {env})
    assert.equal(help.code, 0, help.stderr)
    assert.match(help.stdout, /get-token/)
    const line = /^entratool\/0\.\d+\.\d+ linux-x64 node-v\d+\.\d+\.\d+\n$/
    for (const args of [['-v'], ['--version'], ['version']]) {
      const res = await run(entratool, args, {env})
      assert.equal(res.code, 0, `${args.join(' ')}: ${res.stderr}`)
      assert.match(res.stdout, line, args.join(' '))
      assert.equal(res.stderr, '', args.join(' '))
    }
  })

  it('`entratool flows` lists the four built-in flows, each from its own plugin', async () => {
    const table = await run(entratool, ['flows'], {env})
    assert.equal(table.code, 0, table.stderr)
    for (const flow of FLOWS) assert.match(table.stdout, new RegExp(`^${flow}\\s.*@entratool/flow-${flow}$`, 'm'))
    const json = await run(entratool, ['flows', '-o', 'json'], {env})
    const doc = JSON.parse(json.stdout) as {flows: {id: string; plugin: string}[]; problems: unknown[]}
    assert.deepEqual(
      doc.flows.map((f) => [f.id, f.plugin]),
      FLOWS.map((f) => [f, `@entratool/flow-${f}`]),
    )
    assert.deepEqual(doc.problems, [])
  })

  it('gets a client-credentials token from the emulator', async () => {
    const created = await run(
      entratool,
      ['create-profile', '--name', 'ci', '--tenant-id', DEFAULT_TENANT_ID, '--client-id', CONFIDENTIAL_CLIENT_ID, '--authority', emu.authority(), '--flow', 'client-credentials', '--scope', `${API_APP_ID_URI}/.default`, '--client-secret-stdin'],
      {env, input: CLIENT_SECRET},
    )
    assert.equal(created.code, 0, created.stderr)
    emu.control.clearRequests()
    const res = await run(entratool, ['get-token', '-p', 'ci', '-o', 'json'], {env})
    assert.equal(res.code, 0, res.stderr)
    const doc = JSON.parse(res.stdout)
    assert.equal(doc.flow, 'client-credentials')
    assert.equal(doc.access_token.split('.').length, 3)
    assert.deepEqual(
      emu.control.requests().filter((r) => r.endpoint === 'token').map((r) => r.grantType),
      ['client_credentials'],
    )
  })

  it('`entratool doctor` from the install: healthy, the four flows installed', async () => {
    const res = await run(entratool, ['doctor', '-p', 'ci', '-o', 'json'], {env})
    assert.equal(res.code, 0, res.stdout + res.stderr)
    const doc = JSON.parse(res.stdout) as {checks: {detail: string; name: string; status: string}[]; healthy: boolean}
    assert.equal(doc.healthy, true, res.stdout)
    const flows = doc.checks.find((c) => c.name === 'flows')
    assert.equal(flows?.status, 'ok', res.stdout)
    for (const flow of FLOWS) assert.match(flows!.detail, new RegExp(`\\b${flow}\\b`))
  })

  it('`npx <tarball> --version` runs it without installing globally', async () => {
    // npx takes `./file.tgz` for a package; an absolute path it would run as a command.
    const res = await run('npx', ['--yes', '--prefer-offline', NO_ENTRATOOL_REGISTRY, `./${basename(tarball)}`, '--version'], {cwd: dirname(tarball), env: npmEnv(), timeoutMs: 150_000})
    assert.equal(res.code, 0, res.stderr)
    assert.match(res.stdout, /^entratool\/0\.\d+\.\d+ linux-x64 node-v\d+\.\d+\.\d+\n$/)
  })
})
