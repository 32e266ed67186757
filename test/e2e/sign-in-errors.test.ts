import assert from 'node:assert/strict'

import {API_APP_ID_URI, DEFAULT_TENANT_ID, type Emulator, PUBLIC_CLIENT_ID} from '../emulator/index.js'
import {closeEmulatorSandbox, emulatorSandbox, runCli, type Sandbox} from '../helpers/cli.js'

/**
 * Every AADSTS code the delegated flows can meet while a device code is polled, or on the
 * metadata request, shows its code, Entra's sentence, the correlation id and a next step (issue
 * 15.4). The emulator answers the poll as Entra would (error + error_codes + description).
 */
describe('sign-in errors keep their reason (subprocess CLI, emulator)', function () {
  this.timeout(60_000)
  let emu: Emulator
  let box: Sandbox
  let env: Record<string, string>

  before(async () => {
    ;({box, emu, env} = await emulatorSandbox())
    const created = await runCli(['create-profile', '--name', 'dc', '--tenant-id', DEFAULT_TENANT_ID, '--client-id', PUBLIC_CLIENT_ID, '--authority', emu.authority(), '--flow', 'device-code', '--scope', `${API_APP_ID_URI}/Data.Read`], {env})
    assert.equal(created.code, 0, created.stderr)
  })

  after(() => closeEmulatorSandbox(emu, box))

  beforeEach(() => {
    emu.control.clearFaults()
    emu.control.setDeviceCodeBehavior({afterPolls: 0, interval: 0, mode: 'manual'})
  })

  // [code, OAuth error, Entra's sentence, exit code, next step]
  const pollCases: Array<[number, string, string, number, RegExp]> = [
    [53003, 'invalid_grant', 'Access has been blocked by Conditional Access policies.', 4, /device code sign-in is blocked by policy: use `entratool get-token --profile dc --flow interactive` \(over SSH add `--paste-redirect`\)/],
    [530033, 'invalid_grant', 'Access has been blocked by security policies.', 4, /device code sign-in is blocked by policy.*--paste-redirect/],
    [65001, 'invalid_grant', "The user or administrator has not consented to use the application with ID 'x'.", 4, /needs consent.*--flow interactive --force/],
    [50076, 'invalid_grant', 'Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access the resource.', 4, /multi-factor authentication is now required/],
    [50079, 'invalid_grant', 'Due to a configuration change made by your administrator, you must enroll in multi-factor authentication.', 4, /multi-factor authentication registration is required/],
    [70043, 'invalid_grant', 'The refresh token has expired or is invalid due to sign-in frequency checks by conditional access.', 4, /sign-in frequency.*get-token --flow device-code --profile dc --force/],
    [700082, 'invalid_grant', 'The refresh token has expired due to inactivity.', 4, /your sign-in expired; run `entratool get-token --flow device-code --profile dc --force`/],
    [50173, 'invalid_grant', 'The provided grant has expired due to it being revoked.', 4, /revoked/],
    [70000, 'authorization_declined', 'The user declined the authorization request.', 5, /approve the sign-in/],
    [70019, 'expired_token', 'Verification code expired.', 5, /enter the new code before it expires/],
  ]
  for (const [code, error, sentence, exit, next] of pollCases) {
    it(`AADSTS${code} (${error}) while polling a device code: exit ${exit}, the code, the sentence, a correlation id and the next step`, async () => {
      emu.control.injectFault({code, description: sentence, endpoint: 'token', error, kind: 'error'})
      const res = await runCli(['get-token', '-p', 'dc', '--force'], {env})
      assert.equal(res.code, exit, res.stderr)
      const line = res.stderr.split('\n').find((l) => l.startsWith('Error: '))
      assert.ok(line, res.stderr)
      assert.match(line, new RegExp(`\\[AADSTS${code}, correlation id [\\da-f-]{36}\\]$`))
      if (exit === 4) assert.ok(line.includes(sentence), line)
      assert.match(res.stderr, next)
      assert.doesNotMatch(res.stderr, /post_request_failed/)
      assert.equal(res.stdout, '')
    })
  }

  it('a tenant that does not exist names AADSTS90002 and the tenant', async () => {
    const res = await runCli(['get-token', '--tenant', 'no-such-tenant.example', '--client-id', PUBLIC_CLIENT_ID, '--authority', emu.url, '--flow', 'device-code'], {env})
    assert.equal(res.code, 4, res.stderr)
    assert.match(res.stderr, /Error: the authority refused its metadata request: Tenant 'no-such-tenant\.example' not found\. \(HTTP 400 from https:\/\/127\.0\.0\.1:\d+\/no-such-tenant\.example\/v2\.0\/\.well-known\/openid-configuration\) \[AADSTS90002, correlation id [\da-f-]{36}\]/)
    assert.match(res.stderr, /→ the tenant does not exist in this cloud/)
  })

  it('another metadata refusal is named with its own code', async () => {
    emu.control.injectFault({code: 900023, description: "Specified tenant identifier 'x' is neither a valid DNS name, nor a valid external domain.", endpoint: 'openid-configuration', error: 'invalid_request', kind: 'error'})
    // A tenant alias whose metadata is not cached yet (the profile's is kept for a day).
    const res = await runCli(['get-token', '--tenant', 'organizations', '--client-id', PUBLIC_CLIENT_ID, '--authority', emu.url, '--flow', 'device-code', '--timeout', '10s'], {env})
    assert.equal(res.code, 4, res.stderr)
    assert.match(res.stderr, /Specified tenant identifier 'x' is neither a valid DNS name, nor a valid external domain\. .*\[AADSTS900023, correlation id/)
  })
})
