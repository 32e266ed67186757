import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {existsSync} from 'node:fs'
import {join} from 'node:path'

import {API_APP_ID_URI, CONFIDENTIAL_CLIENT_ID, DEFAULT_USER, PUBLIC_CLIENT_ID} from '../emulator/index.js'
import {baseEnv, ROOT} from '../helpers/cli.js'

describe('npm run demo (the README\'s first command, after its build step)', function () {
  this.timeout(150_000)

  it('gets an app token, a device-code token and a browser sign-in token from the emulator and lists the profiles', async () => {
    const env = baseEnv(process.env.TMPDIR ?? '/tmp')
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'demo.ts')], {cwd: ROOT, env})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    const code = await new Promise((resolve) => child.on('close', resolve))
    assert.equal(code, 0, stderr)
    assert.match(stdout, /"aud": "api:\/\/entratool-demo-api"/)
    assert.match(stdout, /served from the encrypted cache/)
    assert.match(stdout, /signed in as alice@contoso\.test \(the emulator approved the device code/)
    assert.match(stdout, new RegExp(`signed in as alice@contoso\\.test in ${existsSync('/usr/bin/chromium') ? 'headless Chromium' : 'a scripted browser'}`))
    assert.match(stdout, /\* demo-app +client-credentials/)
    assert.match(stdout, /demo-browser +interactive/)
    assert.match(stderr, /✓ Using cached token/)
    assert.match(stderr, /✓ Browser opened/)
    // The identities it uses, named up front; the file backend chosen explicitly, so no keychain warning.
    assert.match(stdout, /^Local Entra ID emulator at https:\/\/127\.0\.0\.1:\d+ .*\(ENTRATOOL_STORAGE=file\)\nIdentities the emulator issues tokens for/)
    for (const id of [CONFIDENTIAL_CLIENT_ID, PUBLIC_CLIENT_ID, DEFAULT_USER.username, API_APP_ID_URI]) assert.ok(stdout.includes(id), id)
    assert.doesNotMatch(stderr, /keychain|Secret Service|⚠|Warning/i)
  })
})
