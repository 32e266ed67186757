import assert from 'node:assert/strict'
import {readdirSync, readFileSync, statSync} from 'node:fs'
import {join} from 'node:path'

import {API_APP_ID_URI, CLIENT_SECRET, CONFIDENTIAL_CLIENT_ID, DEFAULT_TENANT_ID, DEFAULT_USER, type Emulator, PUBLIC_CLIENT_ID} from '../emulator/index.js'
import {type BrowserCommand, browserCommand} from '../helpers/browser-command.js'
import {type CliResult, closeEmulatorSandbox, emulatorSandbox, runCli, type Sandbox} from '../helpers/cli.js'
import {recordFigure} from './figures.js'

/**
 * Every flow and command with --debug, then a search of stdout, stderr and every file written for
 * every secret the emulator saw: access, refresh and id tokens, the client secret, authorization
 * codes, PKCE verifiers, device codes and client assertions. The only allowed appearance is the
 * access token on stdout of a command that was asked to print it.
 */
describe('secrets never leak (stdout, stderr with --debug, files)', function () {
  this.timeout(120_000)
  let emu: Emulator
  let box: Sandbox
  let env: Record<string, string>
  const runs: Array<{args: string[]; res: CliResult; printsToken: boolean}> = []
  const EXPORT_PASSPHRASE = 'correct horse battery staple'

  const cli = async (args: string[], options: {input?: string; env?: Record<string, string>; printsToken?: boolean} = {}) => {
    const res = await runCli([...args, '--debug'], {env: {...env, ...options.env}, input: options.input})
    assert.equal(res.code, 0, `${args.join(' ')}: ${res.stderr}`)
    runs.push({args, printsToken: Boolean(options.printsToken), res})
    return res
  }

  before(async () => {
    ;({box, emu, env} = await emulatorSandbox({DISPLAY: ':99'}))
    emu.control.setDeviceCodeBehavior({afterPolls: 1, interval: 1, mode: 'approve'})
  })

  let browser: BrowserCommand | undefined

  after(async () => {
    try {
      await browser?.settled()
    } finally {
      await closeEmulatorSandbox(emu, box)
    }
  })

  it('runs every flow and command', async () => {
    const common = ['--tenant-id', DEFAULT_TENANT_ID, '--authority', emu.authority()]
    await cli(['create-profile', '--name', 'app', ...common, '--client-id', CONFIDENTIAL_CLIENT_ID, '--flow', 'client-credentials', '--scope', `${API_APP_ID_URI}/.default`, '--client-secret-stdin'], {input: CLIENT_SECRET})
    await cli(['create-profile', '--name', 'user', ...common, '--client-id', PUBLIC_CLIENT_ID, '--flow', 'interactive', '--scope', `${API_APP_ID_URI}/Data.Read`])
    await cli(['get-token', '-p', 'app', '-o', 'json'], {printsToken: true})
    await cli(['get-token', '-p', 'app'], {printsToken: true})
    browser = browserCommand(box.home, 'scripted-browser.mjs')
    await cli(['get-token', '-p', 'user', '-o', 'yaml'], {env: {BENCH_BROWSER_CA: emu.caFile, BENCH_BROWSER_PASSWORD: DEFAULT_USER.password, BENCH_BROWSER_USER: DEFAULT_USER.username, BROWSER: browser.path}, printsToken: true})
    await cli(['get-token', '-p', 'user', '--flow', 'device-code', '--force', '-o', 'env'], {printsToken: true})
    await cli(['refresh', '-p', 'user', '-o', 'exec-credential'], {printsToken: true})
    await cli(['refresh', '-p', 'app'], {printsToken: true})
    await cli(['inspect', '--profile', 'user'])
    await cli(['list-profiles', '-o', 'json'])
    await cli(['show-profile', '--name', 'app', '-o', 'json'])
    await cli(['flows'])
    await cli(['export-profile', '--all', '--file', join(box.home, 'plain-export.json')])
    await cli(['export-profile', '--all', '--include-secrets', '--file', join(box.home, 'secret-export.json')], {env: {ENTRATOOL_EXPORT_PASSPHRASE: EXPORT_PASSPHRASE}})
    await cli(['edit-profile', '--name', 'app', '--scope', `${API_APP_ID_URI}/.default`])
    await cli(['clear-cache', '--profile', 'user'])
    await cli(['delete-profile', '--name', 'user'])
    assert.ok(emu.control.secretsSeen().length >= 10, 'the emulator recorded the secrets it handled')
  })

  it('finds no secret anywhere it must not be', () => {
    const secrets = new Set([...emu.control.secretsSeen(), CLIENT_SECRET, DEFAULT_USER.password, EXPORT_PASSPHRASE])
    const leaks: string[] = []
    for (const {args, printsToken, res} of runs) {
      const allowedOnStdout = printsToken ? new Set(emu.control.secretsSeen().filter((s) => res.stdout.includes(s) && s.startsWith('eyJ'))) : new Set<string>()
      for (const secret of secrets) {
        if (res.stderr.includes(secret)) leaks.push(`stderr of ${args.join(' ')} holds ${secret.slice(0, 12)}…`)
        if (res.stdout.includes(secret) && !(allowedOnStdout.has(secret) && isAccessToken(secret))) leaks.push(`stdout of ${args.join(' ')} holds ${secret.slice(0, 12)}…`)
      }
    }

    const files = walk(box.home).filter((f) => !f.endsWith('browser.sh'))
    for (const file of files) {
      const text = readFileSync(file).toString('latin1')
      for (const secret of secrets) if (text.includes(secret)) leaks.push(`${file} holds ${secret.slice(0, 12)}…`)
    }

    recordFigure('leaksFound', leaks.length)
    recordFigure('secretsTracked', secrets.size)
    assert.deepEqual(leaks, [])
    assert.ok(files.length > 5, `searched ${files.length} files`)
  })
})

function isAccessToken(jwt: string): boolean {
  try {
    const claims = JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'))
    return typeof claims.aud === 'string' && claims.aud.startsWith('api://')
  } catch {
    return false
  }
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? walk(path) : [path]
  })
}
