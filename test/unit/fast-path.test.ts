import assert from 'node:assert/strict'

import {parseFastArgs} from '../../src/fast-path.js'

describe('start-up fast path: which invocations it may serve', () => {
  const served: Array<[string[], Record<string, unknown>]> = [
    [['get-token'], {output: 'token', scope: [], silent: false}],
    [['get-token', '-p', 'ci', '-o', 'json'], {output: 'json', profile: 'ci'}],
    [['get-token', '--profile=ci', '--output=env', '-q'], {output: 'env', profile: 'ci', silent: true}],
    [['get-token', '-s', 'a/.default', '--scope', 'b c'], {scope: ['a/.default', 'b c']}],
    [['get-token', '--min-validity', '10m'], {minValidityMs: 600_000}],
    [['get-token', '-p', 'ci', '-o', 'azure-cli', '-q'], {output: 'azure-cli', profile: 'ci', silent: true}],
    [['get-token', '-o', 'azd', '-s', 'api://x/.default', '-s', 'api://x/Data.Read'], {output: 'azd', scope: ['api://x/.default', 'api://x/Data.Read']}],
    [['get-token', '--output=msi', '--tenant', 'contoso.onmicrosoft.com'], {output: 'msi', tenant: 'contoso.onmicrosoft.com'}],
  ]
  for (const [argv, expected] of served) {
    it(`serves ${argv.join(' ')}`, () => {
      const flags = parseFastArgs(argv) as unknown as Record<string, unknown>
      assert.ok(flags)
      for (const [key, value] of Object.entries(expected)) assert.deepEqual(flags[key], value, key)
    })
  }

  const declined = [
    ['get-token', '--force'],
    ['get-token', '--flow', 'interactive'],
    ['get-token', '--claims', '{}'],
    ['get-token', '-o', 'bogus'],
    ['get-token', '-p'],
    ['get-token', '-p', '--silent'],
    ['get-token', '--min-validity', 'soon'],
    ['get-token', '--debug'],
    ['get-token', '--silent=yes'],
    ['get-token', '--help'],
    ['get-token', '--tenant', 'x', '--client-id', 'y'],
    ['get-token', '--tenant'],
    ['get-token', '-o', 'azure_cli'],
    ['refresh', '-p', 'ci'],
    ['--version'],
  ]
  for (const argv of declined) it(`leaves ${argv.join(' ')} to oclif`, () => assert.equal(parseFastArgs(argv), undefined))
})
