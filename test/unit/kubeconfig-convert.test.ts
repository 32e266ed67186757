import assert from 'node:assert/strict'

import {planConversion} from '../../src/kubeconfig/convert.js'
import {AKS_CLIENT_ID, AZURE_CLI_CLIENT_ID, readKubelogin, WORKLOAD_TOKEN_FILE} from '../../src/kubeconfig/kubelogin.js'
import {unifiedDiff} from '../../src/kubeconfig/line-diff.js'
import type {ProfilesFile} from '../../src/profiles/profile.js'

const SERVER = '6dae42f8-4368-4678-94ff-3960e28e3630'
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47'
const APP = 'b8e4d2a6-71c3-4f05-9e2b-6a0c5d8f1b37'
const base = ['get-token', '--server-id', SERVER, '--tenant-id', TENANT]

describe('kubeconfig convert: kubelogin login modes → entratool profiles', () => {
  const table: Array<[string, string[], Record<string, string>, Record<string, unknown>]> = [
    ['devicecode (the default)', base, {}, {clientId: AKS_CLIENT_ID, flow: 'device-code', tenantId: TENANT}],
    ['interactive', [...base, '-l', 'interactive', '--client-id', APP], {}, {clientId: APP, flow: 'interactive'}],
    ['azurecli signs in as the Azure CLI', [...base, '--login=azurecli'], {}, {clientId: AZURE_CLI_CLIENT_ID, flow: 'interactive'}],
    ['spn with the client id from kubelogin\'s variable', [...base, '-l', 'spn'], {AAD_SERVICE_PRINCIPAL_CLIENT_ID: APP}, {clientId: APP, flow: 'client-credentials'}],
    ['spn with a certificate', [...base, '-l', 'spn', '--client-id', APP, '--client-certificate', '/c.pfx'], {}, {certificatePath: '/c.pfx', flow: 'client-credentials'}],
    ['msi, system-assigned', [...base, '-l', 'msi'], {}, {clientId: SERVER, flow: 'managed-identity', managedIdentity: 'system'}],
    ['msi, user-assigned', [...base, '-l', 'msi', '--client-id', APP], {}, {clientId: APP, flow: 'managed-identity', managedIdentity: undefined}],
    ['workloadidentity from the webhook\'s variables', ['get-token', '--server-id', SERVER, '-l', 'workloadidentity'], {AZURE_CLIENT_ID: APP, AZURE_TENANT_ID: TENANT}, {clientId: APP, federatedTokenFile: WORKLOAD_TOKEN_FILE, flow: 'client-credentials', tenantId: TENANT}],
    ['usgov cloud', [...base, '--environment', 'AzureUSGovernmentCloud'], {}, {authority: 'usgov'}],
    ['an authority host', [...base, '--authority-host', 'https://login.example.test/'], {}, {authority: 'https://login.example.test'}],
  ]
  for (const [name, args, env, expected] of table) {
    it(name, () => {
      const entry = readKubelogin(args, env)
      assert.ok(typeof entry === 'object', String(entry))
      assert.equal(entry.scope, `${SERVER}/.default`)
      for (const [key, value] of Object.entries(expected)) assert.deepEqual((entry.identity as unknown as Record<string, unknown>)[key], value, key)
    })
  }

  it('says where an spn secret comes from, and never carries it', () => {
    const entry = readKubelogin([...base, '-l', 'spn', '--client-id', APP, '--client-secret', 's3cret'], {})
    assert.ok(typeof entry === 'object')
    assert.doesNotMatch(JSON.stringify(entry), /s3cret/)
    assert.match(entry.notes.join(' '), /not copied/)
  })

  const refused: Array<[string[], RegExp]> = [
    [['convert-kubeconfig'], /not `kubelogin get-token`/],
    [['get-token', '--tenant-id', TENANT], /no --server-id/],
    [[...base, '-l', 'ropc'], /does not offer/],
    [[...base, '--pop-enabled'], /--pop-enabled/],
    [[...base, '--redirect-url', 'http://x'], /--redirect-url/],
    [[...base, '-l', 'spn'], /without --client-id/],
    [[...base, '--environment', 'AzureStackCloud'], /not a cloud/],
    [[...base, '--client-id', 'not-a-guid'], /client id/],
    [['get-token', '--server-id'], /cannot read/],
  ]
  for (const [args, reason] of refused) it(`leaves kubelogin ${args.join(' ')} alone`, () => assert.match(String(readKubelogin(args, {})), reason))
})

describe('kubeconfig convert: the document', () => {
  const kubeconfig = `apiVersion: v1
kind: Config
contexts:
- {name: a, context: {cluster: c, user: one}}
- {name: b, context: {cluster: c, user: two}}
users:
# keep me
- name: one
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: /usr/local/bin/kubelogin
      args: [get-token, --server-id, ${SERVER}, --tenant-id, ${TENANT}]
- name: two
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: kubelogin
      args:
      - get-token
      - --server-id
      - other-server
      - --tenant-id
      - ${TENANT}
      interactiveMode: Never
      provideClusterInfo: true
- name: three
  user:
    exec: {command: gke-gcloud-auth-plugin}
`
  const empty: ProfilesFile = {profiles: {}, version: 1}
  const now = '2026-01-01T00:00:00.000Z'

  it('one profile for one identity; the second server gets --scope; comments and other users kept', () => {
    const plan = planConversion(kubeconfig, {env: {}, existing: empty, now})
    assert.deepEqual(plan.create.map((p) => [p.name, p.flow, p.scopes]), [['kube-one', 'device-code', [`${SERVER}/.default`]]])
    assert.deepEqual(plan.converted.map((c) => [c.user, c.profile, c.created]), [['one', 'kube-one', true], ['two', 'kube-one', false]])
    assert.deepEqual(plan.skipped, [{reason: 'runs gke-gcloud-auth-plugin, not kubelogin', user: 'three'}])
    assert.match(plan.text, /# keep me/)
    assert.match(plan.text, /args: \[get-token, --profile, kube-one, --output, exec-credential, --silent\]\n\s+interactiveMode: IfAvailable/)
    assert.match(plan.text, /- --scope\n\s*- other-server\/\.default/)
    assert.match(plan.text, /interactiveMode: Never\n\s+provideClusterInfo: true/)
    assert.match(plan.text, /exec: \{command: gke-gcloud-auth-plugin\}/)
  })

  it('reuses an existing profile with the same identity; --context limits it to one user', () => {
    const existing: ProfilesFile = {profiles: {mine: {clientId: AKS_CLIENT_ID, createdAt: now, flow: 'device-code', name: 'mine', scopes: ['other-server/.default'], tenantId: TENANT, updatedAt: now}}, version: 1}
    const plan = planConversion(kubeconfig, {context: 'b', env: {}, existing, now})
    assert.deepEqual(plan.create, [])
    assert.deepEqual(plan.converted.map((c) => [c.user, c.profile]), [['two', 'mine']])
    assert.match(plan.text, /\/usr\/local\/bin\/kubelogin/)
    assert.throws(() => planConversion(kubeconfig, {context: 'zzz', env: {}, existing, now}), /no context 'zzz'/)
  })

  it('-p uses the given profile for every entry', () => {
    const existing: ProfilesFile = {profiles: {work: {clientId: APP, createdAt: now, name: 'work', tenantId: TENANT, updatedAt: now}}, version: 1}
    const plan = planConversion(kubeconfig, {env: {}, existing, now, profile: 'work'})
    assert.deepEqual(plan.create, [])
    assert.deepEqual(plan.converted.map((c) => c.profile), ['work', 'work'])
  })

  it('refuses a file that is not YAML', () => {
    assert.throws(() => planConversion('users: [a\n', {env: {}, existing: empty, now}), /not valid YAML/)
  })

  it('--dry-run diff: only the changed lines, with context', () => {
    assert.equal(unifiedDiff('a\nb\nc\n', 'a\nB\nc\n', 'f'), '--- f\n+++ f (converted)\n@@ -1,4 +1,4 @@\n a\n-b\n+B\n c\n \n')
    assert.equal(unifiedDiff('same\n', 'same\n', 'f'), '')
  })
})
