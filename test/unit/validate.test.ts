import assert from 'node:assert/strict'

import {parseDuration} from '../../src/lib/duration.js'
import {parsePort, parsePortRange} from '../../src/lib/ports.js'
import {authorityUrl, checkClientId, checkName, checkTenant} from '../../src/profiles/validate.js'

describe('input validation', () => {
  const names: Array<[string, boolean]> = [['work', true], ['a.b_c-1', true], ['x'.repeat(64), true], ['x'.repeat(65), false], ['', false], ['../x', false], ['has space', false], ['ünïcode', false], ['..', false], ['.', false]]
  for (const [name, ok] of names) it(`profile name ${JSON.stringify(name.length > 20 ? `${name.slice(0, 8)}…(${name.length})` : name)} is ${ok ? 'valid' : 'refused'}`, () => assert.equal(checkName(name) === undefined, ok))

  const tenants: Array<[string, boolean]> = [['11111111-2222-3333-4444-555555555555', true], ['contoso.onmicrosoft.com', true], ['common', true], ['organizations', true], ['consumers', true], ['contoso', false], ['1111-2222', false], ['', false], ['a..b.com', false]]
  for (const [tenant, ok] of tenants) it(`tenant ${JSON.stringify(tenant)} is ${ok ? 'valid' : 'refused'}`, () => assert.equal(checkTenant(tenant) === undefined, ok))

  it('client ids are GUIDs', () => {
    assert.equal(checkClientId('11111111-2222-3333-4444-555555555555'), undefined)
    assert.match(checkClientId('my-app')!, /GUID/)
  })

  const durations: Array<[string, number | null]> = [['90', 90_000], ['90s', 90_000], ['5m', 300_000], ['1h', 3_600_000], ['0', 0], ['5 m', 300_000], ['-5', null], ['5d', null], ['abc', null], ['', null], ['1.5m', null]]
  for (const [input, ms] of durations) {
    it(`duration ${JSON.stringify(input)} → ${ms ?? 'error'}`, () => (ms === null ? assert.throws(() => parseDuration(input)) : assert.equal(parseDuration(input), ms)))
  }

  const ports: Array<[string, number | null]> = [['8080', 8080], ['1', 1], ['65535', 65_535], ['0', null], ['65536', null], ['abc', null], ['80.5', null], ['-1', null]]
  for (const [input, port] of ports) it(`port ${input} → ${port ?? 'error'}`, () => (port === null ? assert.throws(() => parsePort(input)) : assert.equal(parsePort(input), port)))

  it('port ranges', () => {
    assert.deepEqual(parsePortRange('8000-8100'), [8000, 8100])
    assert.deepEqual(parsePortRange('8000 - 8000'), [8000, 8000])
    assert.throws(() => parsePortRange('8100-8000'), /reversed/)
    assert.throws(() => parsePortRange('8000'), /A-B/)
    assert.throws(() => parsePortRange('0-10'), /invalid/)
  })

  it('authority URLs for clouds, hosts and full authorities', () => {
    assert.equal(authorityUrl(undefined, 't'), 'https://login.microsoftonline.com/t')
    assert.equal(authorityUrl('china', 't'), 'https://login.chinacloudapi.cn/t')
    assert.equal(authorityUrl('https://login.example.com', 't'), 'https://login.example.com/t')
    assert.equal(authorityUrl('https://contoso.b2clogin.com/contoso.onmicrosoft.com/B2C_1_signin/', 't'), 'https://contoso.b2clogin.com/contoso.onmicrosoft.com/B2C_1_signin')
  })
})
