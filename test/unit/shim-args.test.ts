import assert from 'node:assert/strict'

import type {ProfilesFile} from '../../src/profiles/profile.js'
import {failureText} from '../../src/shim/run-shim.js'
import {AZ_DEFAULT_RESOURCE, AZD_DEFAULT_SCOPE, parseAz, parseAzd, renderOutput} from '../../src/shim/shim-args.js'
import {chooseProfile} from '../../src/shim/shim-profile.js'

describe('az / azd shims: which invocations they answer', () => {
  const az: Array<[string[], Record<string, unknown>]> = [
    // AzureCliCredential (@azure/identity 4.x), with and without --tenant and --subscription.
    [['account', 'get-access-token', '--output', 'json', '--resource', 'api://x'], {kind: 'token', scopes: ['api://x/.default']}],
    [['account', 'get-access-token', '--output', 'json', '--resource', 'api://x', '--tenant', 't1', '--subscription', 's1'], {scopes: ['api://x/.default'], subscription: 's1', tenant: 't1'}],
    [['account', 'get-access-token'], {output: {format: 'json'}, scopes: [`${AZ_DEFAULT_RESOURCE}/.default`]}],
    [['account', 'get-access-token', '--scope', 'a/.read', 'b/.write', '-o', 'tsv', '--query', 'accessToken'], {output: {format: 'tsv', query: 'accessToken'}, scopes: ['a/.read', 'b/.write']}],
    [['account', 'get-access-token', '--resource-type', 'ms-graph', '--only-show-errors'], {scopes: ['https://graph.microsoft.com//.default']}],
    [['account', 'get-access-token', '--resource=api://x', '-t', 't2'], {scopes: ['api://x/.default'], tenant: 't2'}],
    [['account', 'show', '-o', 'json'], {kind: 'show'}],
    [['account', 'show', '--query', 'user.name', '-o', 'tsv'], {kind: 'show', output: {format: 'tsv', query: 'user.name'}}],
  ]
  for (const [argv, expected] of az) {
    it(`az ${argv.join(' ')}`, () => {
      const request = parseAz(argv) as unknown as Record<string, unknown>
      assert.ok(request)
      for (const [key, value] of Object.entries(expected)) assert.deepEqual(request[key], value, key)
    })
  }

  const azPassed = [
    ['login'],
    ['account', 'list'],
    ['account', 'get-access-token', '--resource', 'a', '--scope', 'b/.default'],
    ['account', 'get-access-token', '-o', 'table'],
    ['account', 'get-access-token', '--query', '[0].x'],
    ['account', 'get-access-token', '--resource'],
    ['account', 'get-access-token', '--scope'],
    ['account', 'get-access-token', '--debug'],
    ['account', 'get-access-token', '--resource-type', 'unknown'],
    ['account', 'show', '--tenant', 'x'],
  ]
  for (const argv of azPassed) it(`az ${argv.join(' ')} goes to the real az`, () => assert.equal(parseAz(argv), undefined))

  it('azd auth token as AzureDeveloperCliCredential runs it', () => {
    assert.deepEqual(parseAzd(['auth', 'token', '--output', 'json', '--no-prompt', '--scope', 'a/.default', '--tenant-id', 't']), {claims: undefined, kind: 'token', output: {format: 'json'}, scopes: ['a/.default'], tenant: 't'})
    assert.deepEqual(parseAzd(['auth', 'token', '--scope', 'a/x', '--scope', 'a/y', '--claims', 'e30=']), {claims: 'e30=', kind: 'token', output: {format: 'json'}, scopes: ['a/x', 'a/y'], tenant: undefined})
    assert.deepEqual((parseAzd(['auth', 'token']) as {scopes: string[]}).scopes, [AZD_DEFAULT_SCOPE])
  })

  for (const argv of [['auth', 'login'], ['auth', 'token', '-o', 'table'], ['auth', 'token', '--scope'], ['auth', 'token', '--cwd', '.'], ['up']]) {
    it(`azd ${argv.join(' ')} goes to the real azd`, () => assert.equal(parseAzd(argv), undefined))
  }

  it('renders --query and --output as az does', () => {
    const doc = {a: 'x', b: {c: true}, n: 3}
    assert.equal(renderOutput(doc, {format: 'json'}), `${JSON.stringify(doc, null, 2)}\n`)
    assert.equal(renderOutput(doc, {format: 'tsv', query: 'a'}), 'x\n')
    assert.equal(renderOutput(doc, {format: 'tsv', query: 'b.c'}), 'True\n')
    assert.equal(renderOutput(doc, {format: 'json', query: 'n'}), '3\n')
    assert.equal(renderOutput(doc, {format: 'none'}), '')
  })

  describe('the profile that answers', () => {
    const profile = (name: string, tenantId: string) => ({clientId: 'c', createdAt: '', name, tenantId, updatedAt: ''})
    const file: ProfilesFile = {defaultProfile: 'main', profiles: {b: profile('b', 'T2'), a: profile('a', 't2'), main: profile('main', 't1')}, version: 1}
    const table: Array<[string | undefined, Record<string, string>, string | undefined, ReturnType<typeof chooseProfile>]> = [
      ['a', {ENTRATOOL_PROFILE: 'main'}, undefined, {profile: 'a', tenant: undefined}],
      [undefined, {ENTRATOOL_PROFILE: 'main'}, 't1', {profile: 'main', tenant: undefined}],
      [undefined, {ENTRATOOL_PROFILE: 'main'}, 't9', {profile: 'main', tenant: 't9'}],
      [undefined, {}, 't2', {profile: 'a'}],
      [undefined, {}, 'T1', {profile: 'main'}],
      [undefined, {}, 't9', {tenant: 't9'}],
      [undefined, {}, undefined, {}],
    ]
    for (const [installed, env, tenant, expected] of table) {
      it(`installed=${installed} env=${JSON.stringify(env)} --tenant ${tenant} → ${JSON.stringify(expected)}`, () => assert.deepEqual(chooseProfile(file, installed, env, tenant), expected))
    }
  })

  it('failures start with the sentence each SDK recognises, then entratool\'s reason', () => {
    const stderr = "\u001B[31mError: profile 'u' needs a sign-in\u001B[39m\n→ sign in once\n"
    assert.equal(failureText('az', 5, stderr), "ERROR: Please run 'az login' to setup account.\nentratool's az shim: profile 'u' needs a sign-in\n→ sign in once\n")
    assert.equal(failureText('azd', 3, stderr).split('\n')[0], 'ERROR: fetching token: not logged in, run `azd auth login` to login')
    assert.equal(failureText('az', 7, 'Error: cannot reach login.example\n').split('\n')[0], 'ERROR: cannot reach login.example')
  })
})
