import assert from 'node:assert/strict'
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {buildExample, exampleBuild, packedCore} from '../helpers/example-plugin.js'

/**
 * Issue 16: built as docs/plugins.md says, a plugin compiled against MSAL types the core's package
 * did not ship, so every MSAL-typed member was `any` and any mistake built. The example is built
 * against `npm pack` of the core; a mistake in its use of the contract must fail its build.
 */
describe('the example flow plugin, built as docs/plugins.md says against the packed core', function () {
  this.timeout(120_000)

  it('the packed contract is self-contained: it imports nothing, MSAL least of all', () => {
    const contract = readFileSync(join(packedCore(), 'dist', 'flows', 'contract.d.ts'), 'utf8')
    assert.doesNotMatch(contract, /^\s*import\b|\bimport\(/m)
    assert.doesNotMatch(contract, /@azure\/msal/)
  })

  it('builds with tsc', () => {
    const build = exampleBuild()
    assert.equal(build.code, 0, build.output)
    assert.ok(existsSync(join(build.dir, 'dist', 'hooks', 'flows.js')))
    assert.ok(existsSync(join(build.dir, 'dist', 'client-secret-flow.js')))
  })

  const CALL = "ctx.tokens.clientCredential({kind: 'secret', secret})"
  const mistakes: Array<[string, string, RegExp]> = [
    ['a wrong option passed to a ctx.tokens operation', "ctx.tokens.clientCredential({kind: 'secret', secret}, {notAnOption: 42})", /error TS2353:.*'notAnOption'/],
    ['a credential of the wrong shape', "ctx.tokens.clientCredential({kind: 'secret', password: secret})", /error TS2353:.*'password'/],
    ["MSAL's client through the context", "ctx.msal.confidentialClient({kind: 'secret', secret})", /error TS2339: Property 'msal' does not exist on type 'FlowContext'/],
  ]
  for (const [name, replacement, diagnostic] of mistakes) {
    it(`fails its tsc build on ${name}`, () => {
      const build = buildExample(name.replaceAll(/\W+/g, '-'), (dir) => {
        const file = join(dir, 'src', 'client-secret-flow.ts')
        const source = readFileSync(file, 'utf8')
        assert.ok(source.includes(CALL), 'the example makes the call this test changes')
        writeFileSync(file, source.replace(CALL, replacement))
      })
      assert.notEqual(build.code, 0, 'tsc accepted the mistake')
      assert.match(build.output, diagnostic)
    })
  }
})
