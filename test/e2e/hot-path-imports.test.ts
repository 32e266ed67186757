import assert from 'node:assert/strict'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'

import {API_APP_ID_URI, CLIENT_SECRET, CONFIDENTIAL_CLIENT_ID, DEFAULT_TENANT_ID, type Emulator} from '../emulator/index.js'
import {closeEmulatorSandbox, emulatorSandbox, runCli, type Sandbox} from '../helpers/cli.js'

/**
 * The cached-token path is the hot path (kubectl, git and scripts call it before every request):
 * it must load nothing it does not use. A resolve hook records every module the process loads.
 */
const HEAVY = [/@azure\/msal/, /@oclif\/core/, /@inquirer\//, /@napi-rs\/keyring/, /\/node_modules\/yaml\//, /\/node_modules\/conf\//, /proper-lockfile/, /\/node_modules\/jose\//, /\/node_modules\/open\//, /\/dist\/flows\/flow-runner\.js/, /\/dist\/msal\//, /keychain-store/, /session-bus/]

describe('the cached-token path loads no heavy module', () => {
  let emu: Emulator
  let box: Sandbox
  let env: Record<string, string>
  let preload: string
  let log: string

  before(async () => {
    ;({box, emu, env} = await emulatorSandbox())
    log = join(box.home, 'modules.log')
    const hooks = join(box.home, 'record-hooks.mjs')
    writeFileSync(hooks, `import {appendFileSync} from 'node:fs'\nexport async function resolve(specifier, context, next) {\n  const result = await next(specifier, context)\n  appendFileSync(${JSON.stringify(log)}, result.url + '\\n')\n  return result\n}\n`)
    preload = join(box.home, 'record.mjs')
    writeFileSync(preload, `import {register} from 'node:module'\nregister(${JSON.stringify(pathToFileURL(hooks).href)})\n`)
    const created = await runCli(['create-profile', '--name', 'ci', '--tenant-id', DEFAULT_TENANT_ID, '--client-id', CONFIDENTIAL_CLIENT_ID, '--authority', emu.authority(), '--flow', 'client-credentials', '--scope', `${API_APP_ID_URI}/.default`, '--client-secret-stdin'], {env, input: CLIENT_SECRET})
    assert.equal(created.code, 0, created.stderr)
    const first = await runCli(['get-token', '-p', 'ci'], {env})
    assert.equal(first.code, 0, first.stderr)
  })

  after(() => closeEmulatorSandbox(emu, box))

  for (const output of ['token', 'json', 'exec-credential', 'azure-cli']) {
    it(`get-token -o ${output} with a cached token`, async () => {
      writeFileSync(log, '')
      const res = await runCli(['get-token', '-p', 'ci', '-o', output], {env: {...env, NODE_OPTIONS: `--import ${pathToFileURL(preload).href}`}})
      assert.equal(res.code, 0, res.stderr)
      assert.match(res.stderr, /Using cached token/)
      const loaded = readFileSync(log, 'utf8').split('\n').filter(Boolean)
      assert.ok(loaded.some((url) => url.includes('/dist/hot/')), 'the bundled hot path was not used')
      const heavy = loaded.filter((url) => HEAVY.some((pattern) => pattern.test(url)))
      assert.deepEqual(heavy, [], `loaded on the cached path: ${heavy.join(', ')}`)
    })
  }
})
