import {type Interfaces, Parser} from '@oclif/core'
import assert from 'node:assert/strict'

import {oclifFlags} from '../../src/tokens/oclif-flags.js'
import {type FlagSpec, GET_TOKEN_FLAGS, parseAllFlags, REFRESH_FLAGS} from '../../src/tokens/token-flags.js'

/**
 * get-token and refresh run without oclif when their argv is well formed (token-command.ts). What
 * that parser reads must be exactly what oclif reads from the same argv; anything else it must
 * decline, so that oclif runs the command and reports the problem as it always has.
 */
describe('the pre-oclif parser of get-token and refresh', () => {
  const oclif = async (table: Record<string, FlagSpec>, argv: string[]) => {
    const {flags} = await Parser.parse(argv, {flags: oclifFlags(table) as Interfaces.FlagInput, strict: true})
    return flags as Record<string, unknown>
  }

  const served: Array<[string[], Record<string, unknown>]> = [
    [[], {browser: true, 'min-validity': 300_000, output: 'token'}],
    [['-p', 'ci', '-o', 'json', '-q'], {output: 'json', profile: 'ci', silent: true}],
    [['--profile=ci', '--output=exec-credential'], {output: 'exec-credential', profile: 'ci'}],
    [['--flow', 'interactive', '--force', '--no-browser', '--prompt', 'login', '--login-hint', 'a@b.test'], {browser: false, flow: 'interactive', force: true, 'login-hint': 'a@b.test', prompt: 'login'}],
    [['-f', 'device-code', '--timeout', '90s', '--min-validity', '10m'], {flow: 'device-code', 'min-validity': 600_000, timeout: 90_000}],
    [['--port', '8400', '--paste-redirect'], {'paste-redirect': true, port: 8400}],
    [['--port-range', '8000-8100', '--no-paste-redirect', '--show-url'], {'paste-redirect': false, 'port-range': [8000, 8100], 'show-url': true}],
    [['-s', 'api://x/.default', '--scope', 'a b', '--scope=c'], {scope: ['api://x/.default', 'a b', 'c']}],
    [['--tenant-id', 'contoso.test', '--client-id', 'abc', '--authority', 'usgov'], {authority: 'usgov', 'client-id': 'abc', tenant: 'contoso.test'}],
    [['--cae', '--claims', '{"access_token":{}}'], {cae: true, claims: '{"access_token":{}}'}],
    [['--no-cae', '--www-authenticate', 'Bearer realm=""'], {cae: false, 'www-authenticate': 'Bearer realm=""'}],
  ]
  for (const [argv, expected] of served) {
    it(`reads get-token ${argv.join(' ') || '(no flags)'} as oclif does`, async () => {
      const flags = parseAllFlags(GET_TOKEN_FLAGS, argv)
      assert.ok(flags, 'declined a well-formed call')
      for (const [key, value] of Object.entries(expected)) assert.deepEqual(flags[key], value, key)
      assert.deepEqual(flags, await oclif(GET_TOKEN_FLAGS, argv))
    })
  }

  it('reads refresh -p ci -o json -q as oclif does', async () => {
    const argv = ['-p', 'ci', '-o', 'json', '-q']
    assert.deepEqual(parseAllFlags(REFRESH_FLAGS, argv), await oclif(REFRESH_FLAGS, argv))
  })

  const declined = [
    ['--help'],
    ['-h'],
    ['--debug'],
    ['--profle', 'ci'],
    ['positional'],
    ['--scope', 'a', 'b'],
    ['-p'],
    ['-p', '--silent'],
    ['--profile', ''],
    ['--silent=yes'],
    ['--force', '--force'],
    ['-p', 'a', '-p', 'b'],
    ['--port', '0'],
    ['--port', 'http'],
    ['--port-range', '9000-8000'],
    ['--port', '8400', '--port-range', '8000-8100'],
    ['--claims', '{}', '--www-authenticate', 'Bearer'],
    ['--prompt', 'none'],
    ['-o', 'azure_cli'],
    ['--timeout', 'soon'],
    ['-ojson'],
    ['--', '-p', 'x'],
  ]
  for (const argv of declined) it(`leaves get-token ${argv.join(' ')} to oclif`, () => assert.equal(parseAllFlags(GET_TOKEN_FLAGS, argv), undefined))

  it('leaves get-token-only flags given to refresh to oclif', () => {
    assert.equal(parseAllFlags(REFRESH_FLAGS, ['--force']), undefined)
    assert.equal(parseAllFlags(REFRESH_FLAGS, ['--min-validity', '5m']), undefined)
  })
})
