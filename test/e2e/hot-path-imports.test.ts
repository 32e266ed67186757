import assert from 'node:assert/strict'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'

import {API_APP_ID_URI, CLIENT_SECRET, CONFIDENTIAL_CLIENT_ID, DEFAULT_TENANT_ID, type Emulator} from '../emulator/index.js'
import {closeEmulatorSandbox, emulatorSandbox, runCli, type Sandbox} from '../helpers/cli.js'

/**
 * get-token runs before every request of kubectl, git and scripts: it must load nothing it does not
 * use. Hooks record every module the process loads, ES modules (a resolve hook) and CommonJS ones
 * (Module._load), and bundled chunks are recognised by what they contain.
 */
const NEVER = [/@oclif\/core/, /@inquirer\//, /@napi-rs\/keyring/, /\/node_modules\/yaml\//, /\/node_modules\/conf\//, /\/node_modules\/jose\//, /\/node_modules\/open\//, /keychain-store/, /session-bus/]
/** What only a token request needs: MSAL (bundled into dist/hot, never from node_modules there), the flow runner, the lock. */
const NETWORK_ONLY = [/@azure\/msal/, /proper-lockfile/, /\/dist\/flows\/flow-runner\.js/, /\/dist\/msal\//]
/** What a bundled chunk holding the lock, MSAL or the flow runner contains: a string of its own, kept by minification. */
const CHUNK_MARKERS = {flowRunner: /running flow '/, lock: /Lock file is already being held/, msal: /msal\.js\.node/}

describe('what get-token loads', () => {
  let emu: Emulator
  let box: Sandbox
  let env: Record<string, string>
  let recording: Record<string, string>
  let log: string

  before(async () => {
    ;({box, emu, env} = await emulatorSandbox())
    log = join(box.home, 'modules.log')
    const hooks = join(box.home, 'record-hooks.mjs')
    writeFileSync(hooks, `import {appendFileSync} from 'node:fs'\nexport async function resolve(specifier, context, next) {\n  const result = await next(specifier, context)\n  appendFileSync(${JSON.stringify(log)}, result.url + '\\n')\n  return result\n}\n`)
    const preload = join(box.home, 'record.mjs')
    writeFileSync(preload, `import {register} from 'node:module'\nregister(${JSON.stringify(pathToFileURL(hooks).href)})\n`)
    const cjs = join(box.home, 'record.cjs')
    writeFileSync(cjs, `const Module = require('node:module')\nconst {appendFileSync} = require('node:fs')\nconst load = Module._load\nModule._load = function (request, parent, isMain) {\n  try { appendFileSync(${JSON.stringify(log)}, 'file://' + Module._resolveFilename(request, parent, isMain) + '\\n') } catch {}\n  return load.apply(this, arguments)\n}\n`)
    recording = {...env, NODE_OPTIONS: `--require ${cjs} --import ${pathToFileURL(preload).href}`}
    const created = await runCli(['create-profile', '--name', 'ci', '--tenant-id', DEFAULT_TENANT_ID, '--client-id', CONFIDENTIAL_CLIENT_ID, '--authority', emu.authority(), '--flow', 'client-credentials', '--scope', `${API_APP_ID_URI}/.default`, '--client-secret-stdin'], {env, input: CLIENT_SECRET})
    assert.equal(created.code, 0, created.stderr)
  })

  after(() => closeEmulatorSandbox(emu, box))

  /** Runs entratool with the recorder; the files it loaded, and which chunks hold MSAL and the flow runner. */
  const loaded = async (args: string[]) => {
    writeFileSync(log, '')
    const res = await runCli(args, {env: recording})
    assert.equal(res.code, 0, res.stderr)
    const urls = [...new Set(readFileSync(log, 'utf8').split('\n').filter(Boolean))]
    const chunks = urls.filter((url) => url.includes('/dist/hot/'))
    const holding = (marker: RegExp) => chunks.some((url) => marker.test(readFileSync(fileURLToPath(url), 'utf8')))
    return {chunks, flowRunner: holding(CHUNK_MARKERS.flowRunner), lock: holding(CHUNK_MARKERS.lock), msal: holding(CHUNK_MARKERS.msal), res, urls}
  }

  for (const output of ['token', 'json', 'exec-credential', 'azure-cli']) {
    it(`a cached token (-o ${output}) loads no MSAL, flow runner, lock or oclif`, async () => {
      await runCli(['get-token', '-p', 'ci'], {env})
      const run = await loaded(['get-token', '-p', 'ci', '-o', output])
      assert.match(run.res.stderr, /Using cached token/)
      assert.ok(run.chunks.some((url) => url.endsWith('/dist/hot/token-command.js')), 'the bundled get-token was not used')
      const heavy = run.urls.filter((url) => [...NEVER, ...NETWORK_ONLY].some((pattern) => pattern.test(url)))
      assert.deepEqual(heavy, [], `loaded on the cached path: ${heavy.join(', ')}`)
      assert.equal(run.msal, false, 'a chunk holding MSAL was loaded')
      assert.equal(run.flowRunner, false, 'a chunk holding the flow runner was loaded')
      assert.equal(run.lock, false, 'a chunk holding the lock was loaded')
    })
  }

  for (const args of [['get-token', '-p', 'ci'], ['refresh', '-p', 'ci']]) {
    it(`${args[0]} that needs a token request boots no oclif, and loads MSAL and the lock bundled, without jsonwebtoken or graceful-fs`, async () => {
      const cleared = await runCli(['clear-cache', '-p', 'ci'], {env})
      assert.equal(cleared.code, 0, cleared.stderr)
      emu.control.clearRequests()
      const run = await loaded(args)
      assert.equal(emu.control.requests().filter((r) => r.endpoint === 'token').length, 1, 'one token request')
      const wrong = run.urls.filter((url) => [...NEVER, /\/node_modules\/@azure\/msal/, /\/node_modules\/jsonwebtoken\//, /\/node_modules\/(proper-lockfile|graceful-fs)\//].some((pattern) => pattern.test(url)))
      assert.deepEqual(wrong, [], `loaded on the token-request path: ${wrong.join(', ')}`)
      assert.ok(run.msal && run.flowRunner && run.lock, 'the bundled MSAL, flow runner and lock were not all used')
    })
  }
})
