import assert from 'node:assert/strict'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {API_APP_ID_URI, CLIENT_SECRET, CONFIDENTIAL_CLIENT_ID, DEFAULT_TENANT_ID, type Emulator} from '../emulator/index.js'
import {closeEmulatorSandbox, emulatorSandbox, runCli, type Sandbox} from '../helpers/cli.js'

const HUMAN = String.raw`(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d\d:\d\d)`

/** "2026-12-03 01:30:05 +05:30" → epoch seconds. */
const epoch = (text: string) => Date.parse(text.replace(' ', 'T').replace(' ', '')) / 1000

describe('one time format: local with its offset for people, ISO UTC for machines (TZ=Asia/Kolkata)', () => {
  let emu: Emulator
  let box: Sandbox
  let env: Record<string, string>
  let expiresOn: number

  before(async () => {
    ;({box, emu, env} = await emulatorSandbox({TZ: 'Asia/Kolkata'}))
    const created = await runCli(
      ['create-profile', '--name', 'ci', '--tenant-id', DEFAULT_TENANT_ID, '--client-id', CONFIDENTIAL_CLIENT_ID, '--authority', emu.authority(), '--flow', 'client-credentials', '--scope', `${API_APP_ID_URI}/.default`, '--client-secret-stdin'],
      {env, input: CLIENT_SECRET},
    )
    assert.equal(created.code, 0, created.stderr)
  })

  after(() => closeEmulatorSandbox(emu, box))

  it('get-token: "Token expires:" in local time with +05:30; -o json keeps ISO UTC ending in Z', async () => {
    const res = await runCli(['get-token', '-p', 'ci', '-o', 'json'], {env})
    assert.equal(res.code, 0, res.stderr)
    const doc = JSON.parse(res.stdout)
    expiresOn = doc.expires_on
    assert.match(doc.expires_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
    const shown = new RegExp(`Token expires: ${HUMAN}`).exec(res.stderr)
    assert.ok(shown, res.stderr)
    assert.match(shown[1], /\+05:30$/)
    assert.equal(epoch(shown[1]), expiresOn)
    const cached = await runCli(['get-token', '-p', 'ci'], {env})
    assert.match(cached.stderr, new RegExp(`Token expires: ${shown[1].replace('+', String.raw`\+`)}`))
  })

  it('a flow plugin\'s error names the time the same way (through the flow context)', async () => {
    const exp = Math.floor(Date.now() / 1000) - 60
    const jwt = ['{"alg":"RS256"}', `{"exp":${exp}}`].map((part) => Buffer.from(part).toString('base64url')).join('.') + '.sig'
    const file = join(box.home, 'federated-token')
    writeFileSync(file, jwt)
    const made = await runCli(['create-profile', '--name', 'wi', '--tenant-id', DEFAULT_TENANT_ID, '--client-id', CONFIDENTIAL_CLIENT_ID, '--authority', emu.authority(), '--flow', 'client-credentials', '--scope', `${API_APP_ID_URI}/.default`, '--federated-token-file', file], {env})
    assert.equal(made.code, 0, made.stderr)
    const res = await runCli(['get-token', '-p', 'wi'], {env})
    assert.equal(res.code, 3, res.stderr)
    const shown = new RegExp(`federated token in .* expired at ${HUMAN}`).exec(res.stderr)
    assert.ok(shown, res.stderr)
    assert.match(shown[1], /\+05:30$/)
    assert.equal(epoch(shown[1]), exp)
  })

  it('list-profiles, show-profile and inspect show the same instant the same way', async () => {
    const list = await runCli(['list-profiles'], {env})
    const row = new RegExp(`valid \\(${HUMAN}\\)`).exec(list.stdout)
    assert.ok(row, list.stdout)
    assert.equal(epoch(row[1]), expiresOn)

    const show = await runCli(['show-profile', '-p', 'ci'], {env})
    assert.equal(epoch(new RegExp(`expires_at: ${HUMAN}`).exec(show.stdout)![1]), expiresOn)
    assert.match(show.stdout, new RegExp(`^created_at: ${HUMAN}$`, 'm'))
    const json = JSON.parse((await runCli(['show-profile', '-p', 'ci', '-o', 'json'], {env})).stdout)
    assert.match(json.created_at, /Z$/)
    assert.equal(Date.parse(json.token.expires_at) / 1000, expiresOn)

    const inspect = await runCli(['inspect', '--profile', 'ci'], {env})
    // The token's exp claim; MSAL's expires_on is computed from expires_in, a second or so apart.
    assert.ok(Math.abs(epoch(new RegExp(`^Expires +${HUMAN}$`, 'm').exec(inspect.stdout)![1]) - expiresOn) <= 2, inspect.stdout)
    assert.match(inspect.stdout, new RegExp(`^Issued +${HUMAN}$`, 'm'))
    assert.doesNotMatch(inspect.stdout, /\d\dZ/, 'no ISO UTC in the human view')
  })
})
