import {createLocalJWKSet, jwtVerify} from 'jose'
import assert from 'node:assert/strict'
import {execFile} from 'node:child_process'
import {chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {createServer, type Server} from 'node:https'
import type {AddressInfo} from 'node:net'
import {join} from 'node:path'

import {emulatorRequest} from '../emulator/http-client.js'
import {API_APP_ID_URI, CLIENT_SECRET, CONFIDENTIAL_CLIENT_ID, DEFAULT_TENANT_ID, type Emulator, PUBLIC_CLIENT_ID} from '../emulator/index.js'
import {createTestCertificate} from '../emulator/test-certificate.js'
import {BIN, closeEmulatorSandbox, emulatorSandbox, runCli, type Sandbox} from '../helpers/cli.js'

const V1 = 'client.authentication.k8s.io/v1'
const V1BETA1 = 'client.authentication.k8s.io/v1beta1'
const execInfo = (apiVersion: string, interactive: boolean) => JSON.stringify({apiVersion, kind: 'ExecCredential', spec: {interactive}})

/**
 * The ExecCredential an exec plugin returns, as Kubernetes defines it
 * (k8s.io/client-go/pkg/apis/clientauthentication/{v1,v1beta1}), written as a JSON schema.
 */
const EXEC_CREDENTIAL_SCHEMA = {
  additionalProperties: false,
  properties: {
    apiVersion: {enum: [V1, V1BETA1]},
    kind: {const: 'ExecCredential'},
    spec: {additionalProperties: false, properties: {cluster: {type: 'object'}, interactive: {type: 'boolean'}}, type: 'object'},
    status: {
      additionalProperties: false,
      properties: {clientCertificateData: {type: 'string'}, clientKeyData: {type: 'string'}, expirationTimestamp: {format: 'date-time', type: 'string'}, token: {minLength: 1, type: 'string'}},
      required: ['token', 'expirationTimestamp'],
      type: 'object',
    },
  },
  required: ['apiVersion', 'kind', 'status'],
  type: 'object',
} as const

type Schema = {additionalProperties?: boolean; const?: unknown; enum?: readonly unknown[]; format?: string; minLength?: number; properties?: Record<string, Schema>; required?: readonly string[]; type?: string}

/** The subset of JSON Schema the schema above uses; returns every violation with its path. */
function validate(value: unknown, schema: Schema, path = '$'): string[] {
  const problems: string[] = []
  if (schema.const !== undefined && value !== schema.const) problems.push(`${path} must be ${JSON.stringify(schema.const)}`)
  if (schema.enum && !schema.enum.includes(value)) problems.push(`${path} must be one of ${schema.enum.join(', ')}`)
  if (schema.type === 'string' && typeof value !== 'string') return [...problems, `${path} must be a string`]
  if (schema.type === 'boolean' && typeof value !== 'boolean') problems.push(`${path} must be a boolean`)
  if (typeof value === 'string' && schema.minLength !== undefined && value.length < schema.minLength) problems.push(`${path} is empty`)
  // RFC 3339 date-time, as Go's time.Time unmarshals it.
  if (schema.format === 'date-time' && !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(value as string)) problems.push(`${path} is not an RFC 3339 date-time`)
  if (schema.type === 'object') {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return [...problems, `${path} must be an object`]
    const object = value as Record<string, unknown>
    for (const key of schema.required ?? []) if (!(key in object)) problems.push(`${path}.${key} is required`)
    for (const [key, child] of Object.entries(object)) {
      const sub = schema.properties?.[key]
      if (sub) problems.push(...validate(child, sub, `${path}.${key}`))
      else if (schema.additionalProperties === false) problems.push(`${path}.${key} is not allowed`)
    }
  }

  return problems
}

function assertExecCredential(stdout: string, apiVersion: string): {status: {expirationTimestamp: string; token: string}} {
  const doc = JSON.parse(stdout)
  assert.deepEqual(validate(doc, EXEC_CREDENTIAL_SCHEMA), [])
  assert.equal(doc.apiVersion, apiVersion)
  const expires = Date.parse(doc.status.expirationTimestamp)
  assert.ok(expires > Date.now() + 50 * 60_000 && expires <= Date.now() + 3_601_000, doc.status.expirationTimestamp)
  assert.equal(doc.status.token.split('.').length, 3)
  return doc
}

describe('kubectl exec credentials (get-token -o exec-credential)', () => {
  let emu: Emulator
  let box: Sandbox
  let env: Record<string, string>

  before(async () => {
    ;({box, emu, env} = await emulatorSandbox())
    emu.control.setDeviceCodeBehavior({afterPolls: 1, interval: 1, mode: 'approve'})
    const ci = await runCli(['create-profile', '--name', 'ci', '--tenant-id', DEFAULT_TENANT_ID, '--client-id', CONFIDENTIAL_CLIENT_ID, '--authority', emu.authority(), '--flow', 'client-credentials', '--scope', `${API_APP_ID_URI}/.default`, '--client-secret-stdin'], {env, input: CLIENT_SECRET})
    assert.equal(ci.code, 0, ci.stderr)
    const user = await runCli(['create-profile', '--name', 'user', '--tenant-id', DEFAULT_TENANT_ID, '--client-id', PUBLIC_CLIENT_ID, '--authority', emu.authority(), '--flow', 'device-code', '--scope', `${API_APP_ID_URI}/Data.Read`], {env})
    assert.equal(user.code, 0, user.stderr)
  })

  after(() => closeEmulatorSandbox(emu, box))

  it('prints a v1 ExecCredential that matches the Kubernetes schema, with expirationTimestamp', async () => {
    const res = await runCli(['get-token', '-p', 'ci', '-o', 'exec-credential'], {env})
    assert.equal(res.code, 0, res.stderr)
    assertExecCredential(res.stdout, V1)
  })

  it('answers in v1beta1 when KUBERNETES_EXEC_INFO asks for it, from the cache as from the flow', async () => {
    for (const args of [[], ['--force']]) {
      const res = await runCli(['get-token', '-p', 'ci', '-o', 'exec-credential', ...args], {env: {...env, KUBERNETES_EXEC_INFO: execInfo(V1BETA1, false)}})
      assert.equal(res.code, 0, res.stderr)
      assertExecCredential(res.stdout, V1BETA1)
    }
  })

  it('the schema check catches what kubectl would reject', () => {
    assert.deepEqual(validate({apiVersion: V1, kind: 'ExecCredential', status: {token: 'a.b.c'}}, EXEC_CREDENTIAL_SCHEMA), ['$.status.expirationTimestamp is required'])
    assert.deepEqual(validate({apiVersion: 'v1', kind: 'ExecCredential', status: {expirationTimestamp: '2030-01-01 00:00', token: 'x', refresh: 'y'}}, EXEC_CREDENTIAL_SCHEMA), [
      `$.apiVersion must be one of ${V1}, ${V1BETA1}`,
      '$.status.expirationTimestamp is not an RFC 3339 date-time',
      '$.status.refresh is not allowed',
    ])
  })

  it('interactive: false and a delegated profile that needs a sign-in: exit 5 at once, no device code, a message on stderr', async () => {
    emu.control.clearRequests()
    const started = Date.now()
    const res = await runCli(['get-token', '-p', 'user', '-o', 'exec-credential'], {env: {...env, KUBERNETES_EXEC_INFO: execInfo(V1, false)}})
    assert.equal(res.code, 5, res.stderr)
    assert.ok(Date.now() - started < 10_000)
    assert.equal(res.stdout, '')
    assert.match(res.stderr, /profile 'user' needs a sign-in, and the caller allows no interaction/)
    assert.match(res.stderr, /entratool get-token --profile user --flow device-code/)
    assert.deepEqual(emu.control.requests().filter((r) => r.endpoint === 'devicecode' || r.endpoint === 'token'), [])
  })

  it('interactive: true (or a person at a terminal) still signs in', async () => {
    const res = await runCli(['get-token', '-p', 'user', '-o', 'exec-credential'], {env: {...env, KUBERNETES_EXEC_INFO: execInfo(V1, true)}})
    assert.equal(res.code, 0, res.stderr)
    assert.match(res.stderr, /enter code/)
    assertExecCredential(res.stdout, V1)
  })

  it('interactive: false serves the cached token, and refreshes it with the refresh token', async () => {
    const noPrompt = {...env, KUBERNETES_EXEC_INFO: execInfo(V1, false)}
    const cached = await runCli(['get-token', '-p', 'user', '-o', 'exec-credential'], {env: noPrompt})
    assert.equal(cached.code, 0, cached.stderr)
    assert.match(cached.stderr, /Using cached token/)
    // An expired cached token is refreshed, never signed in again. (A --min-validity longer than
    // the whole lifetime no longer forces a refresh: half the lifetime is enough then.)
    emu.control.setTokenLifetime(1)
    const shortLived = await runCli(['refresh', '-p', 'user', '-q'], {env})
    emu.control.setTokenLifetime(3600)
    assert.equal(shortLived.code, 0, shortLived.stderr)
    await new Promise((resolve) => setTimeout(resolve, 1500))
    emu.control.clearRequests()
    const refreshed = await runCli(['get-token', '-p', 'user', '-o', 'exec-credential'], {env: noPrompt})
    assert.equal(refreshed.code, 0, refreshed.stderr)
    assert.match(refreshed.stderr, /Token refreshed/)
    assertExecCredential(refreshed.stdout, V1)
    assert.deepEqual(emu.control.requests().filter((r) => r.endpoint === 'token').map((r) => r.grantType), ['refresh_token'])
  })

  it('--force with interactive: false would need a new sign-in: exit 5', async () => {
    const res = await runCli(['get-token', '-p', 'user', '-o', 'exec-credential', '--force'], {env: {...env, KUBERNETES_EXEC_INFO: execInfo(V1, false)}})
    assert.equal(res.code, 5, res.stderr)
  })

  describe('through a real kubectl (when installed), against a loopback API server', () => {
    let api: Server
    let seen: string[]
    let paths: string[]
    let kubeconfig: string
    let kubectlEnv: Record<string, string>

    before(async function () {
      const found = await new Promise<boolean>((resolve) => execFile('kubectl', ['version', '--client'], (error) => resolve(!error)))
      if (!found) return this.skip()
      seen = []
      paths = []
      const {certPem, keyPem} = createTestCertificate('127.0.0.1')
      // Accepts only a token the emulator signed for the API, as an AKS API server accepts only Entra's.
      const jwks = createLocalJWKSet((await emulatorRequest(emu, 'GET', `/${DEFAULT_TENANT_ID}/discovery/v2.0/keys`)).json() as never)
      api = createServer({cert: certPem, key: keyPem}, async (req, res) => {
        seen.push(req.headers.authorization ?? '')
        paths.push(req.url ?? '')
        const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1]
        const ok = token !== undefined && (await jwtVerify(token, jwks, {audience: API_APP_ID_URI}).then(() => true, () => false))
        res.writeHead(ok ? 200 : 401, {'content-type': 'application/json'})
        res.end(ok ? '{"kind":"APIVersions","versions":["v1"]}' : '{"kind":"Status","code":401}')
      })
      await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve))
      const bin = join(box.home, 'bin')
      mkdirSync(bin, {recursive: true})
      writeFileSync(join(bin, 'entratool'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`)
      chmodSync(join(bin, 'entratool'), 0o755)
      kubectlEnv = {...env, PATH: `${bin}:${env.PATH}`}
      const user = (name: string, profile: string) => `- name: ${name}
  user:
    exec:
      apiVersion: ${V1}
      command: entratool
      args: [get-token, --profile, ${profile}, --output, exec-credential, --silent]
      interactiveMode: Never
      provideClusterInfo: false`
      kubeconfig = join(box.home, 'kubeconfig')
      writeFileSync(
        kubeconfig,
        `apiVersion: v1
kind: Config
clusters:
- name: emu
  cluster: {server: "https://127.0.0.1:${(api.address() as AddressInfo).port}", insecure-skip-tls-verify: true}
users:
${user('ci', 'ci')}
${user('nobody', 'nobody-signed-in')}
contexts:
- {name: ci, context: {cluster: emu, user: ci}}
- {name: nobody, context: {cluster: emu, user: nobody}}
current-context: ci
`,
      )
      const nobody = await runCli(['create-profile', '--name', 'nobody-signed-in', '--tenant-id', DEFAULT_TENANT_ID, '--client-id', PUBLIC_CLIENT_ID, '--authority', emu.authority(), '--flow', 'interactive'], {env})
      assert.equal(nobody.code, 0, nobody.stderr)
    })

    after(() => api?.close())

    const kubectl = (args: string[]) =>
      new Promise<{code: number; stderr: string; stdout: string}>((resolve) => {
        execFile('kubectl', ['--kubeconfig', kubeconfig, ...args], {env: kubectlEnv, timeout: 60_000}, (error, stdout, stderr) => resolve({code: error ? Number(error.code ?? 1) : 0, stderr, stdout}))
      })

    it('kubectl runs the README recipe and sends the token to the API server', async () => {
      const res = await kubectl(['get', '--raw', '/api'])
      assert.equal(res.code, 0, res.stderr)
      assert.match(res.stdout, /APIVersions/)
      assert.ok(seen.length > 0 && seen.every((h) => /^Bearer ey[\w-]+\.[\w-]+\.[\w-]+$/.test(h)), seen.join('\n'))
    })

    it('kubeconfig convert turns a kubelogin entry into entratool: 20 kubectl calls, one token request', async function () {
      this.timeout(240_000)
      const server = `https://127.0.0.1:${(api.address() as AddressInfo).port}`
      const file = join(box.home, 'kubelogin.yaml')
      const original = `apiVersion: v1
kind: Config
clusters:
- name: aks
  cluster: {server: "${server}", insecure-skip-tls-verify: true}
contexts:
- {name: aks, context: {cluster: aks, user: aks-spn}}
current-context: aks
users:
# written by az aks get-credentials, then kubelogin convert-kubeconfig -l spn
- name: aks-spn
  user:
    exec:
      apiVersion: ${V1BETA1}
      command: kubelogin
      args: [get-token, --login, spn, --server-id, ${API_APP_ID_URI}, --tenant-id, ${DEFAULT_TENANT_ID}, --environment, AzurePublicCloud, --authority-host, "https://${emu.host}/"]
      env:
      - {name: AAD_SERVICE_PRINCIPAL_CLIENT_ID, value: ${CONFIDENTIAL_CLIENT_ID}}
      provideClusterInfo: false
`
      writeFileSync(file, original)
      const res = await runCli(['kubeconfig', 'convert', '--kubeconfig', file], {env: kubectlEnv})
      assert.equal(res.code, 0, res.stderr)
      assert.equal(res.stdout, '')
      assert.match(res.stderr, /aks-spn: kubelogin -l spn → entratool, uses profile 'kube-aks-spn' \(created\)/)
      const backup = readdirSync(box.home).find((f) => f.startsWith('kubelogin.yaml.entratool-backup-'))
      assert.ok(backup, 'a backup was written')
      assert.equal(readFileSync(join(box.home, backup), 'utf8'), original)
      const text = readFileSync(file, 'utf8')
      assert.match(text, /# written by az aks get-credentials/)
      assert.match(text, /command: entratool\n\s+args: \[get-token, --profile, kube-aks-spn, --output, exec-credential, --silent\]/)
      assert.doesNotMatch(text, /kubelogin get-token|AAD_SERVICE_PRINCIPAL/)

      emu.control.clearRequests()
      seen = []
      paths = []
      const withSecret = {...kubectlEnv, AZURE_CLIENT_SECRET: CLIENT_SECRET}
      for (let i = 0; i < 20; i++) {
        const call = await new Promise<{code: number; stderr: string; stdout: string}>((resolve) => {
          execFile('kubectl', ['--kubeconfig', file, 'get', '--raw', '/api'], {env: withSecret, timeout: 60_000}, (error, stdout, stderr) => resolve({code: error ? Number(error.code ?? 1) : 0, stderr, stdout}))
        })
        assert.equal(call.code, 0, call.stderr)
        assert.match(call.stdout, /APIVersions/)
      }

      // kubectl 1.32 may also probe /version once; every request carried the one cached token.
      assert.equal(paths.filter((p) => p === '/api').length, 20, paths.join('\n'))
      assert.equal(new Set(seen).size, 1, 'the one cached token every time')
      assert.deepEqual(emu.control.requests().filter((r) => r.endpoint === 'token').map((r) => r.grantType), ['client_credentials'])
    })

    it('with interactiveMode: Never and no sign-in, kubectl fails at once and shows why', async () => {
      const res = await kubectl(['--context', 'nobody', 'get', '--raw', '/api'])
      assert.notEqual(res.code, 0)
      assert.match(res.stderr, /profile 'nobody-signed-in' needs a sign-in/)
    })
  })
})
