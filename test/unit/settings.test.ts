import assert from 'node:assert/strict'

import clientCredentialsFlows from '../../plugins/flow-client-credentials/src/hooks/flows.js'
import interactiveFlows from '../../plugins/flow-interactive/src/hooks/flows.js'
import managedIdentityFlows from '../../plugins/flow-managed-identity/src/hooks/flows.js'
import type {FlowOption, FlowOptionValue} from '../../src/flows/contract.js'
import type {Profile} from '../../src/profiles/profile.js'
import {decodeClaims, DEFAULTS, flowSettings, profileName, resolveSettings} from '../../src/settings/resolve.js'

const TENANT = '11111111-2222-3333-4444-555555555555'
const CLIENT = '66666666-7777-8888-9999-000000000000'
const profile: Profile = {
  authority: 'usgov',
  clientId: CLIENT,
  createdAt: '2026-01-01T00:00:00Z',
  flow: 'device-code',
  name: 'p',
  portRange: [8000, 8100],
  scopes: ['api://p/Read'],
  tenantId: TENANT,
  updatedAt: '2026-01-01T00:00:00Z',
}

describe('settings precedence: flag > environment > profile > default', () => {
  const cases: Array<{name: string; flags: Record<string, unknown>; env?: NodeJS.ProcessEnv; profile?: Profile; expect: Record<string, unknown>}> = [
    {expect: {flow: 'device-code', scopes: ['api://p/Read']}, flags: {}, name: 'profile values when no flag', profile},
    {expect: {flow: 'client-credentials'}, flags: {flow: 'client-credentials'}, name: 'flag beats profile flow', profile},
    {expect: {scopes: ['a/b', 'c/d']}, flags: {scope: ['a/b, c/d']}, name: 'comma-separated scopes', profile},
    {expect: {scopes: ['a', 'b', 'c']}, flags: {scope: ['a b', 'c', 'a']}, name: 'space-separated, repeated and de-duplicated scopes', profile},
    {expect: {authority: `https://login.microsoftonline.us/${TENANT}`}, flags: {}, name: 'cloud name from the profile', profile},
    {expect: {authority: 'https://emu.test:8443/tenant-x'}, flags: {authority: 'https://emu.test:8443/tenant-x'}, name: 'full authority URL from a flag is kept as written', profile},
    {expect: {authority: `https://login.microsoftonline.com/${TENANT}`, flow: DEFAULTS.flow, scopes: DEFAULTS.scopes, timeoutMs: DEFAULTS.timeoutMs}, flags: {clientId: CLIENT, tenant: TENANT}, name: 'built-in defaults for one-off use'},
    {expect: {oneOff: true}, flags: {clientId: CLIENT, tenant: TENANT}, name: 'one-off without a profile'},
    {expect: {port: 9000, portRange: undefined}, flags: {port: 9000}, name: '--port replaces the profile range', profile},
    {expect: {port: undefined, portRange: [8000, 8100]}, flags: {}, name: 'profile port range', profile},
    {env: {ENTRATOOL_CA_FILE: '/env/ca.pem'}, expect: {caFile: '/env/ca.pem'}, flags: {}, name: 'ENTRATOOL_CA_FILE beats the profile CA', profile: {...profile, caFile: '/profile/ca.pem'}},
    {env: {AZURE_FEDERATED_TOKEN_FILE: '/env/token'}, expect: {federatedTokenFile: '/env/token'}, flags: {}, name: 'AZURE_FEDERATED_TOKEN_FILE beats a federated profile\'s file', profile: {...profile, federatedTokenFile: '/profile/token'}},
    {env: {AZURE_FEDERATED_TOKEN_FILE: '/env/token'}, expect: {federatedTokenFile: undefined}, flags: {}, name: 'AZURE_FEDERATED_TOKEN_FILE never replaces a stored secret', profile: {...profile, secretRef: 'p/client-secret'}},
    {expect: {authority: 'https://emu.test:8443/22222222-2222-3333-4444-555555555555'}, flags: {tenant: '22222222-2222-3333-4444-555555555555'}, name: '--tenant replaces the profile tenant in a custom authority URL', profile: {...profile, authority: `https://emu.test:8443/${TENANT}`}},
    {env: {AZURE_FEDERATED_TOKEN_FILE: '/env/token'}, expect: {federatedTokenFile: '/env/token'}, flags: {}, name: 'AZURE_FEDERATED_TOKEN_FILE when the profile has none', profile},
    {expect: {loginHint: 'alice@contoso.test'}, flags: {}, name: 'the signed-in account is the login hint', profile: {...profile, account: {homeAccountId: 'x.y', username: 'alice@contoso.test'}}},
    {expect: {openBrowser: false, showUrl: true}, flags: {noBrowser: true, showUrl: true}, name: 'browser flags', profile},
    {expect: {timeoutGiven: false, timeoutMs: 120_000}, flags: {}, name: 'default timeout, marked as not given', profile},
    {expect: {timeoutGiven: true, timeoutMs: 5000}, flags: {timeoutMs: 5000}, name: '--timeout given', profile},
  ]

  // The built-in flows' options resolve once their declarations are known (the flow runner does
  // that); the cases name them beside the core settings, as they always did.
  let declared: FlowOption[]
  before(async () => {
    declared = (await Promise.all([clientCredentialsFlows(), interactiveFlows(), managedIdentityFlows()])).flat().flatMap((d) => d.options ?? [])
  })

  for (const c of cases) {
    it(c.name, () => {
      const isOption = (key: string) => declared.some((o) => o.name === key)
      const options = Object.fromEntries(Object.entries(c.flags).filter(([key]) => isOption(key))) as Record<string, FlowOptionValue>
      const flags = {...Object.fromEntries(Object.entries(c.flags).filter(([key]) => !isOption(key))), options}
      const resolved = flowSettings(resolveSettings('p', flags, c.env ?? {}, c.profile), declared, c.env ?? {})
      const settings = {...resolved, ...resolved.options} as unknown as Record<string, unknown>
      for (const [key, value] of Object.entries(c.expect)) assert.deepEqual(settings[key], value, key)
    })
  }

  it('profile name: flag > ENTRATOOL_PROFILE > file default > "default"', () => {
    assert.equal(profileName('a', {ENTRATOOL_PROFILE: 'b'}, 'c'), 'a')
    assert.equal(profileName(undefined, {ENTRATOOL_PROFILE: 'b'}, 'c'), 'b')
    assert.equal(profileName(undefined, {}, 'c'), 'c')
    assert.equal(profileName(undefined, {ENTRATOOL_PROFILE: ''}, undefined), 'default')
  })

  it('refuses missing or invalid identity values with usage errors', () => {
    assert.throws(() => resolveSettings('x', {}, {}, undefined), {kind: 'usage', message: /--tenant and --client-id/})
    assert.throws(() => resolveSettings('x', {clientId: CLIENT, tenant: 'not a tenant'}, {}, undefined), {kind: 'usage', message: /tenant 'not a tenant' is invalid/})
    assert.throws(() => resolveSettings('x', {clientId: 'abc', tenant: TENANT}, {}, undefined), {kind: 'usage', message: /client id 'abc' is invalid/})
    assert.throws(() => resolveSettings('x', {authority: 'http://insecure', clientId: CLIENT, tenant: TENANT}, {}, undefined), {kind: 'usage', message: /https/})
    assert.throws(() => resolveSettings('p', {tenant: 'other.example.com'}, {}, {...profile, authority: 'https://emu.test/someone-else'}), {kind: 'usage', message: /does not match the tenant 'someone-else'/})
  })

  it('decodes a claims challenge given as JSON or base64', () => {
    const json = '{"access_token":{"nbf":{"essential":true,"value":"1"}}}'
    assert.equal(decodeClaims(json), json)
    assert.equal(decodeClaims(Buffer.from(json).toString('base64')), json)
    assert.throws(() => decodeClaims('%%%'), {kind: 'usage'})
  })
})
