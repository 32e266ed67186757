import assert from 'node:assert/strict'
import {createHash} from 'node:crypto'
import {readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {API_APP_ID_URI} from '../emulator/constants.js'

export interface Case {
  name: string
  argv: string[]
  code: number
  input?: string
  env?: Record<string, string>
  /** Text stderr must contain. */
  says?: RegExp
  /** Prepares the config dir (its result is the baseline the command must leave unchanged). */
  setup?: (configDir: string) => void
  /** Why the case runs only as a subprocess: it goes past the checks into a side effect. */
  subprocessOnly?: string
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
const jwt = (header: unknown, payload: unknown) => `${b64(header)}.${b64(payload)}.c2ln`
export const GUID = '11111111-2222-3333-4444-555555555555'

/** Every file under the config dir with its bytes and mode: "unchanged" means byte for byte. */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {}
  const walk = (d: string) => {
    for (const entry of readdirSync(d, {withFileTypes: true})) {
      const path = join(d, entry.name)
      if (entry.isDirectory()) walk(path)
      else out[path] = `${statSync(path).mode.toString(8)}:${createHash('sha256').update(readFileSync(path)).digest('hex')}`
    }
  }

  walk(dir)
  return out
}

interface Ran {
  code: null | number
  stderr: string
  stdout: string
}

/**
 * Runs one case through `run` (a subprocess or in-process) and checks what every refusal must be:
 * its exit code, nothing on stdout, one short plain error line, the config directory unchanged.
 * `home` holds the directory, empty file and 2 MB file that `<dir>`, `<empty>` and `<huge>` name.
 */
export async function checkRefusal(c: Case, configDir: string, home: string, run: (argv: string[], options: {env?: Record<string, string>; input?: string}) => Promise<Ran>): Promise<void> {
  c.setup?.(configDir)
  const before = snapshot(configDir)
  const files: Record<string, string> = {'<dir>': join(home, 'a-directory'), '<empty>': join(home, 'empty.jwt'), '<huge>': join(home, 'huge.jwt')}
  const res = await run(c.argv.map((a) => files[a] ?? a), {env: c.env, input: c.input})
  assert.equal(res.code, c.code, `exit ${res.code}: ${res.stderr}`)
  assert.equal(res.stdout, '', 'nothing on stdout')
  assert.doesNotMatch(res.stderr, /\n\s+at .+:\d+:\d+/, 'no stack trace')
  assert.match(res.stderr.trimStart(), /^Error: \S/, 'a plain error line, no oclif ` ›` prefix')
  assert.ok(res.stderr.trim().split('\n').length <= 3, `a short message:\n${res.stderr}`)
  if (c.says) assert.match(res.stderr, c.says)
  assert.deepEqual(snapshot(configDir), before, 'config directory unchanged')
}

/**
 * Bad input and what entratool must answer: run as a subprocess against the emulator by
 * bad-input.test.ts, and in-process by test/unit/commands/bad-input.test.ts. `<dir>`, `<empty>`
 * and `<huge>` stand for a directory, an empty file and a 2 MB file the runner provides.
 */
export const badInputCases: Case[] = [
  // Profile names
  {argv: ['create-profile', '--name', '../x', '--tenant-id', GUID, '--client-id', GUID], code: 2, name: 'name with a path', says: /profile name '\.\.\/x' is invalid/},
  {argv: ['create-profile', '--name', '', '--tenant-id', GUID, '--client-id', GUID, '--no-prompt'], code: 2, name: 'empty name'},
  {argv: ['create-profile', '--name', 'x'.repeat(65), '--tenant-id', GUID, '--client-id', GUID], code: 2, name: '65-character name', says: /invalid/},
  {argv: ['create-profile', '--name', 'has space', '--tenant-id', GUID, '--client-id', GUID], code: 2, name: 'name with a space'},
  {argv: ['create-profile', '--name', 'prüfung', '--tenant-id', GUID, '--client-id', GUID], code: 2, name: 'unicode name'},
  {argv: ['create-profile', '--name', 'WORK', '--tenant-id', GUID, '--client-id', GUID], code: 3, name: 'name differing only in case', says: /differ only in case/},
  {argv: ['create-profile', '--name', 'work', '--tenant-id', GUID, '--client-id', GUID], code: 3, name: 'existing name without --force', says: /already exists/},
  {argv: ['create-profile', '--name', 'app', '--tenant-id', GUID, '--client-id', GUID, '--flow', 'client-credentials', '--client-secret-stdin'], code: 3, input: 'another-secret', name: 'existing name with a new secret, without --force: the stored secret is kept', says: /already exists/},
  {argv: ['get-token', '-p', '../etc'], code: 2, name: 'get-token with an invalid profile name'},
  {argv: ['show-profile', '--name', 'a/b'], code: 2, name: 'show-profile with an invalid name'},
  {argv: ['get-token', '-p', 'nope'], code: 3, name: 'unknown profile', says: /does not exist/},
  {argv: ['show-profile', '--name', 'nope'], code: 3, name: 'show unknown profile'},
  {argv: ['delete-profile', '--name', 'nope'], code: 3, name: 'delete unknown profile'},
  {argv: ['delete-profile', '--yes'], code: 2, name: 'delete-profile --yes without --name'},
  {argv: ['edit-profile', '--name', 'nope', '--scope', 'a'], code: 3, name: 'edit unknown profile'},
  {argv: ['get-token'], code: 3, env: {ENTRATOOL_PROFILE: 'ghost'}, name: 'unknown profile from ENTRATOOL_PROFILE'},
  // Tenant and client ids
  {argv: ['create-profile', '--name', 'n1', '--tenant-id', 'not a tenant', '--client-id', GUID], code: 2, name: 'invalid tenant', says: /tenant 'not a tenant' is invalid/},
  {argv: ['create-profile', '--name', 'n2', '--tenant-id', '', '--client-id', GUID, '--no-prompt'], code: 2, name: 'empty tenant'},
  {argv: ['create-profile', '--name', 'n3', '--tenant-id', 'contoso', '--client-id', GUID], code: 2, name: 'tenant without a domain'},
  {argv: ['create-profile', '--name', 'n4', '--tenant-id', GUID, '--client-id', 'my-app'], code: 2, name: 'client id that is not a GUID', says: /GUID/},
  {argv: ['create-profile', '--name', 'n5', '--tenant-id', GUID, '--client-id', `${GUID}0`], code: 2, name: 'client id one character too long'},
  {argv: ['get-token', '--tenant', 'bad tenant', '--client-id', GUID], code: 2, name: 'one-off with an invalid tenant'},
  {argv: ['get-token', '--tenant', GUID, '--client-id', 'nope'], code: 2, name: 'one-off with an invalid client id'},
  {argv: ['edit-profile', '--name', 'work', '--tenant-id', 'x y'], code: 2, name: 'edit with an invalid tenant'},
  {argv: ['edit-profile', '--name', 'work', '--paste-redirect=no'], code: 2, name: 'edit with --paste-redirect=no (use --no-paste-redirect)'},
  // Authorities
  {argv: ['create-profile', '--name', 'n6', '--tenant-id', GUID, '--client-id', GUID, '--authority', 'http://login.example.com'], code: 2, name: 'http authority', says: /https/},
  {argv: ['create-profile', '--name', 'n7', '--tenant-id', GUID, '--client-id', GUID, '--authority', 'not a url'], code: 2, name: 'authority that is not a URL'},
  {argv: ['get-token', '-p', 'app', '--force', '--authority', 'https://x.test/t?q=1'], code: 2, name: 'authority with a query'},
  // Scopes
  {argv: ['get-token', '-p', 'app', '--scope', ''], code: 2, name: 'empty scope', says: /holds no scope/},
  {argv: ['get-token', '-p', 'app', '--scope', '   '], code: 2, name: 'whitespace scope'},
  {argv: ['get-token', '-p', 'app', '--scope', ' , ,'], code: 2, name: 'commas only'},
  {argv: ['get-token', '-p', 'work', '--force', '--scope', `${API_APP_ID_URI}/.default Data.Read`], code: 2, name: '.default mixed with a delegated scope', says: /cannot be combined/},
  {argv: ['get-token', '-p', 'app', '--force', '--scope', 'User.Read'], code: 2, name: 'delegated scope for an app flow', says: /delegated permission/},
  {argv: ['get-token', '-p', 'app', '--force', '--scope', 'a/.default', '--scope', 'b/.default'], code: 2, name: 'two .default scopes for an app flow'},
  // Ports
  {argv: ['get-token', '-p', 'work', '--port', '0'], code: 2, name: 'port 0'},
  {argv: ['get-token', '-p', 'work', '--port', '65536'], code: 2, name: 'port 65536'},
  {argv: ['get-token', '-p', 'work', '--port', 'abc'], code: 2, name: 'port abc'},
  {argv: ['get-token', '-p', 'work', '--port', '-1'], code: 2, name: 'negative port'},
  {argv: ['get-token', '-p', 'work', '--port-range', '9000-8000'], code: 2, name: 'reversed port range', says: /reversed/},
  {argv: ['get-token', '-p', 'work', '--port-range', '8000'], code: 2, name: 'port range without a dash'},
  {argv: ['get-token', '-p', 'work', '--port-range', '0-10'], code: 2, name: 'port range from 0'},
  {argv: ['get-token', '-p', 'work', '--port', '8080', '--port-range', '8000-8100'], code: 2, name: '--port with --port-range'},
  {argv: ['get-token', '-p', 'work', '--prompt', 'none'], code: 2, name: '--prompt none (not offered)'},
  {argv: ['get-token', '-p', 'work', '--prompt'], code: 2, name: '--prompt without a value'},
  {argv: ['get-token', '-p', 'work', '--login-hint'], code: 2, name: '--login-hint without a value'},
  {argv: ['get-token', '-p', 'work', '--www-authenticate', 'Bearer realm="x"'], code: 2, name: '--www-authenticate without claims', says: /holds no claims challenge/},
  {argv: ['get-token', '-p', 'work', '--www-authenticate', 'Basic realm="x"'], code: 2, name: '--www-authenticate without a Bearer challenge', says: /no Bearer challenge/},
  {argv: ['get-token', '-p', 'work', '--www-authenticate', 'Bearer claims="bm90IGpzb24="'], code: 2, name: '--www-authenticate with claims that are not JSON', says: /neither JSON nor base64/},
  {argv: ['get-token', '-p', 'work', '--www-authenticate', 'Bearer claims="eyJ'], code: 2, name: '--www-authenticate with an unterminated quote', says: /unterminated/},
  {argv: ['get-token', '-p', 'work', '--claims', '{}', '--www-authenticate', 'Bearer claims="e30="'], code: 2, name: '--claims with --www-authenticate'},
  {argv: ['get-token', '-p', 'work', '--cae=yes'], code: 2, name: '--cae with a value'},
  {argv: ['create-profile', '--name', 'n8', '--tenant-id', GUID, '--client-id', GUID, '--port', '70000'], code: 2, name: 'create-profile with port 70000'},
  // Durations
  {argv: ['get-token', '-p', 'work', '--timeout', 'soon'], code: 2, name: 'timeout word'},
  {argv: ['get-token', '-p', 'work', '--timeout', '5d'], code: 2, name: 'timeout in days'},
  {argv: ['get-token', '-p', 'work', '--min-validity', '-5'], code: 2, name: 'negative min-validity'},
  {argv: ['get-token', '-p', 'work', '--min-validity', '1.5m'], code: 2, name: 'fractional min-validity'},
  // Output formats
  {argv: ['get-token', '-p', 'app', '-o', 'xml'], code: 2, name: 'get-token -o xml'},
  {argv: ['list-profiles', '-o', 'csv'], code: 2, name: 'list-profiles -o csv'},
  {argv: ['inspect', '-o', 'table', 'a.b.c'], code: 2, name: 'inspect -o table'},
  {argv: ['flows', '-o', 'yaml'], code: 2, name: 'flows -o yaml'},
  {argv: ['doctor', '-o', 'yaml'], code: 2, name: 'doctor -o yaml'},
  {argv: ['doctor', '-p', 'no/such name'], code: 2, name: 'doctor -p with an invalid profile name', says: /profile name 'no\/such name' is invalid/},
  {argv: ['doctor', 'now'], code: 2, name: 'doctor with an argument'},
  // Files
  {argv: ['inspect', '--file', '/nonexistent/token.jwt'], code: 2, name: 'inspect a missing file', says: /ENOENT/},
  {argv: ['inspect', '--file', '<dir>'], code: 2, name: 'inspect a directory', says: /EISDIR/},
  {argv: ['inspect', '--file', '<empty>'], code: 2, name: 'inspect an empty file', says: /not a JWT/},
  {argv: ['inspect', '--file', '<huge>'], code: 2, name: 'inspect a 2 MB file', says: /not a JWT/},
  {argv: ['get-token', '-p', 'app', '--force'], code: 2, env: {ENTRATOOL_CA_FILE: '/nonexistent/ca.pem'}, name: 'missing CA file', says: /ENTRATOOL_CA_FILE/},
  // JWTs for inspect
  {argv: ['inspect', 'garbage'], code: 2, name: 'inspect garbage', says: /not a JWT/},
  {argv: ['inspect', '-'], code: 2, input: '\u0000\u0001\u00FF\u00FE binary', name: 'inspect binary on stdin'},
  {argv: ['inspect', 'aGVhZGVy.cGF5bG9hZA'], code: 2, name: 'inspect a token with two parts'},
  {argv: ['inspect', 'e30.%%%.x'], code: 2, name: 'inspect bad base64'},
  {argv: ['inspect', jwt({alg: 'RS256'}, [1, 2, 3])], code: 2, name: 'inspect a JSON array payload'},
  {argv: ['inspect', `${Buffer.from('not json').toString('base64url')}.${b64({a: 1})}.x`], code: 2, name: 'inspect a header that is not JSON'},
  {argv: ['inspect', '-'], code: 2, input: 'a'.repeat(10 * 1024 * 1024), name: 'inspect 10 MB on stdin', says: /not a JWT/},
  {argv: ['inspect', '-'], code: 2, input: '', name: 'inspect empty stdin'},
  {argv: ['inspect', 'a.b.c', '--file', '/tmp/x'], code: 2, name: 'inspect with two sources'},
  // Secrets on stdin
  {argv: ['create-profile', '--name', 's1', '--tenant-id', GUID, '--client-id', GUID, '--client-secret-stdin'], code: 2, input: '', name: 'empty secret on stdin (closed stdin)', says: /no client secret/},
  {argv: ['create-profile', '--name', 's2', '--tenant-id', GUID, '--client-id', GUID, '--client-secret-stdin'], code: 2, input: '   \n', name: 'whitespace secret'},
  {argv: ['create-profile', '--name', 's3', '--tenant-id', GUID, '--client-id', GUID, '--client-secret-stdin'], code: 2, input: 'x'.repeat(100_000), name: '100 KB secret', says: /larger than/},
  {argv: ['create-profile', '--name', 's4', '--tenant-id', GUID, '--client-id', GUID, '--client-secret-stdin', '--certificate-password-stdin'], code: 2, input: 'x', name: 'two secrets on one stdin'},
  {argv: ['create-profile', '--name', 's5', '--tenant-id', GUID, '--client-id', GUID, '--client-secret', 'inline'], code: 2, name: 'a secret as an argument is refused'},
  // Commands, flags and flows
  {argv: ['get-tokn'], code: 2, name: 'unknown command', says: /^Error: 'get-tokn' is not an entratool command\. Did you mean `entratool get-token`\?\n→ run `entratool help`/},
  {argv: ['x'.repeat(120)], code: 2, name: 'unknown command with a long name, one unwrapped line', says: new RegExp(`^Error: '${'x'.repeat(120)}' is not an entratool command\\.\n→ `)},
  {argv: ['version', '--bogus'], code: 2, name: 'unknown flag on version'},
  {argv: ['get-token', '--bogus'], code: 2, name: 'unknown flag'},
  {argv: ['get-token', '--profle', 'work'], code: 2, name: 'mistyped flag', says: /unknown flag --profle\. Did you mean --profile\?/},
  {argv: ['list-profiles', '--outptu=json'], code: 2, name: 'mistyped flag with =value', says: /unknown flag --outptu\. Did you mean --output\?/},
  {argv: ['get-token', '--tenant-id', 'bad tenant', '--client-id', GUID], code: 2, name: 'get-token --tenant-id (alias of --tenant) with an invalid tenant', says: /tenant 'bad tenant' is invalid/},
  {argv: ['create-profile', '--name', 'n12', '--tenant', 'bad tenant', '--client-id', GUID], code: 2, name: 'create-profile --tenant (alias of --tenant-id) with an invalid tenant', says: /tenant 'bad tenant' is invalid/},
  {argv: ['edit-profile', '--name', 'work', '--tenant', 'bad tenant'], code: 2, name: 'edit-profile --tenant (alias of --tenant-id) with an invalid tenant', says: /tenant 'bad tenant' is invalid/},
  {argv: ['get-token', '-p'], code: 2, name: 'flag without its value'},
  {argv: ['get-token', '-p', 'work', '--flow', 'nosuch'], code: 3, name: 'flow not installed', says: /flow 'nosuch' is not installed/},
  {argv: ['create-profile', '--name', 'n9', '--tenant-id', GUID, '--client-id', GUID, '--flow', 'nosuch'], code: 3, name: 'create-profile with a missing flow'},
  {argv: ['create-profile', '--name', 'n10', '--no-prompt'], code: 2, name: 'missing tenant and client id', says: /--tenant-id, --client-id/},
  {argv: ['edit-profile', '--scope', 'x'], code: 2, name: 'edit-profile without --name'},
  {argv: ['edit-profile', '--name', 'work'], code: 2, name: 'edit-profile with nothing to change', says: /nothing to change/},
  {argv: ['clear-cache'], code: 2, name: 'clear-cache without --profile or --all'},
  {argv: ['clear-cache', '--all', '--profile', 'work'], code: 2, name: 'clear-cache with both'},
  {argv: ['get-token', '-p', 'app', '--claims', 'not json'], code: 2, name: 'claims that are neither JSON nor base64 JSON'},
  {argv: ['refresh', '-p', 'work'], code: 3, name: 'refresh before any sign-in', says: /no signed-in account/},
  {argv: ['list-profiles'], code: 2, env: {ENTRATOOL_STORAGE: 'floppy'}, name: 'unknown storage backend', says: /ENTRATOOL_STORAGE/},
  // az/azd shims
  {argv: ['shim', 'install', '-p', 'nope', '--dir', '<dir>'], code: 3, name: 'shim install for an unknown profile', says: /profile 'nope' does not exist/},
  {argv: ['shim', 'install', '-p', '../x', '--dir', '<dir>'], code: 2, name: 'shim install with an invalid profile name'},
  {argv: ['shim', 'install', '--dir', '<empty>'], code: 2, name: 'shim install into a file', says: /is not a directory/},
  {argv: ['shim', 'install', '--dir'], code: 2, name: 'shim install --dir without a value'},
  // git credential helper and its setup
  {argv: ['git-credential', '-p', 'app', 'get'], code: 2, input: 'protocol=https\nhost=dev.azure.com\0\n\n', name: 'git-credential request with a NUL byte', says: /NUL byte/},
  {argv: ['git-credential', '-p', 'app', 'get'], code: 2, input: `protocol=https\nhost=${'a'.repeat(1024 * 1024)}\n\n`, name: 'git-credential request with a 1 MB line', says: /65535-byte limit/},
  {argv: ['git-credential', '-p', 'app', 'get'], code: 2, input: `path=${'a'.repeat(65_536)}\n`, name: 'git-credential line of 65536 bytes', says: /65535-byte limit/},
  {argv: ['git-credential', '-p', 'app', 'get'], code: 2, input: '\u00FF\u00FE\u0001binary\n', name: 'git-credential request that is not key=value', says: /not a key=value attribute/},
  {argv: ['git-credential', '-p', 'app'], code: 2, name: 'git-credential without an operation'},
  {argv: ['git-credential', '-p', '../x', 'get'], code: 2, input: 'protocol=https\nhost=dev.azure.com\n\n', name: 'git-credential with an invalid profile name'},
  {argv: ['git-credential', '-p', 'nope', 'get'], code: 3, input: 'protocol=https\nhost=dev.azure.com\n\n', name: 'git-credential with an unknown profile', says: /does not exist/},
  {argv: ['setup-git', '-p', 'app', '--host', 'dev.azure.com/org'], code: 2, name: 'setup-git with a URL path as the host', says: /not a host name/},
  {argv: ['setup-git', '-p', 'app', '--host', 'a b'], code: 2, name: 'setup-git with a space in the host', says: /not a host name/},
  {argv: ['setup-git', '-p', 'app', '--global', '--local'], code: 2, name: 'setup-git --global with --local'},
  {argv: ['setup-git', '-p', 'nope'], code: 3, name: 'setup-git for an unknown profile', says: /does not exist/},
  // kubeconfig convert
  {argv: ['kubeconfig', 'convert', '--kubeconfig', '/nonexistent/config'], code: 3, name: 'convert a missing kubeconfig', says: /cannot read the kubeconfig \/nonexistent\/config: ENOENT/},
  {argv: ['kubeconfig', 'convert', '--kubeconfig', '<dir>'], code: 3, name: 'convert a directory', says: /EISDIR/},
  {argv: ['kubeconfig', 'convert', '--kubeconfig', '<empty>', '--context', 'nope'], code: 2, name: 'convert an unknown context', says: /no context 'nope'/},
  {argv: ['kubeconfig', 'convert', '--kubeconfig', '<empty>', '-p', 'nope'], code: 3, name: 'convert with an unknown profile', says: /profile 'nope' does not exist/},
  // serve-identity and exec
  {argv: ['serve-identity', '-p', 'app', '--bind', 'localhost'], code: 2, name: 'serve-identity --bind that is not an IP address', says: /not an IP address/},
  {argv: ['serve-identity', '-p', 'app', '--port', '0'], code: 2, name: 'serve-identity --port 0'},
  {argv: ['serve-identity', '-p', 'app', '-o', 'yaml'], code: 2, name: 'serve-identity -o yaml'},
  {argv: ['serve-identity', '-p', 'ghost'], code: 3, name: 'serve-identity of an unknown profile', says: /does not exist/},
  {argv: ['serve-identity', '-p', 'app', '-p', '../x'], code: 2, name: 'serve-identity with an invalid second profile name'},
  {argv: ['serve-identity', '-p', 'app', '--min-validity', 'soon'], code: 2, name: 'serve-identity --min-validity that is not a duration'},
  {argv: ['exec', '-p', 'app'], code: 2, name: 'exec without a program', says: /no program to run/},
  {argv: ['exec', '-p', 'app', '--'], code: 2, name: 'exec with nothing after --', says: /no program to run/},
  {argv: ['exec', '-p', 'ghost', '--', 'true'], code: 3, name: 'exec with an unknown profile', says: /does not exist/},
  {argv: ['exec', '-p', 'app', '--min-validity', 'x', '--', 'true'], code: 2, name: 'exec --min-validity that is not a duration'},
  {argv: ['exec', '-p', 'app', '--frobnicate', '--', 'true'], code: 2, name: 'exec with an unknown flag of its own'},
  {argv: ['exec', '-p', 'app', '--', 'no-such-program-here'], code: 127, name: 'exec of a program that does not exist (as a shell says it)', says: /command not found: no-such-program-here/, subprocessOnly: 'serves tokens and starts a program'},
  {argv: ['exec', '-p', 'app', '--', '<dir>'], code: 126, name: 'exec of a directory', says: /cannot run/, subprocessOnly: 'serves tokens and starts a program'},
  // Broken profiles file
  {argv: ['list-profiles'], code: 3, name: 'profiles.json that is not JSON', says: /not valid JSON/, setup: (dir) => writeFileSync(join(dir, 'profiles.json'), '{"version": 1, "profiles": {')},
  {argv: ['get-token', '-p', 'work'], code: 3, name: 'profiles.json of the wrong shape', says: /no profiles object/, setup: (dir) => writeFileSync(join(dir, 'profiles.json'), '{"version": 1, "profiles": []}')},
  {argv: ['create-profile', '--name', 'n11', '--tenant-id', GUID, '--client-id', GUID], code: 3, name: 'create-profile never overwrites a broken file', setup: (dir) => writeFileSync(join(dir, 'profiles.json'), '{"version": 2}')},
  {argv: ['get-token', '-p', 'work'], code: 3, name: 'a hand-edited profile with a bad client id', says: /client id/, setup: (dir) => writeFileSync(join(dir, 'profiles.json'), JSON.stringify({profiles: {work: {clientId: 'x', createdAt: 'a', name: 'work', tenantId: GUID, updatedAt: 'a'}}, version: 1}))},
]
