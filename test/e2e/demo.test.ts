import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {join} from 'node:path'

import {baseEnv, ROOT} from '../helpers/cli.js'

describe('npm run demo (the README\'s first command, after its build step)', function () {
  this.timeout(60_000)

  it('gets an app token and a user token from the emulator and lists both profiles', async () => {
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
    assert.match(stdout, /signed in as alice@contoso\.test/)
    assert.match(stdout, /\* demo-app +client-credentials/)
    assert.match(stderr, /✓ Using cached token/)
  })
})
