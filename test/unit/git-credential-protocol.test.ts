import assert from 'node:assert/strict'
import {Readable} from 'node:stream'

import {EntraToolError} from '../../src/errors.js'
import {MAX_LINE_BYTES, parseCredentialRequest, readCredentialRequest, serializeCredential} from '../../src/git/credential-protocol.js'
import {parseFastGitArgs} from '../../src/git/fast-path.js'
import {helperValue, isEntratoolHelper, shellQuote} from '../../src/git/helper-command.js'
import {AZURE_DEVOPS_SCOPE, gitScopes, isConfiguredHost} from '../../src/git/hosts.js'

const parse = (text: string) => parseCredentialRequest(Buffer.from(text))

function refuses(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (error: unknown) => error instanceof EntraToolError && error.kind === 'usage' && pattern.test(error.message) && !error.message.includes('\n'))
}

async function refusesAsync(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => error instanceof EntraToolError && error.kind === 'usage' && pattern.test(error.message))
}

describe('git-credential(1) wire format', () => {
  it('reads attributes up to the blank line, and lists with [] in order', () => {
    const request = parse('protocol=https\nhost=dev.azure.com\npath=org/_git/repo\ncapability[]=authtype\ncapability[]=state\nwwwauth[]=Basic realm="x"\nwwwauth[]=Bearer\n\nhost=ignored\n')
    assert.equal(request.attributes.get('protocol'), 'https')
    assert.equal(request.attributes.get('host'), 'dev.azure.com')
    assert.equal(request.attributes.get('path'), 'org/_git/repo')
    assert.deepEqual(request.lists.get('capability'), ['authtype', 'state'])
    assert.deepEqual(request.lists.get('wwwauth'), ['Basic realm="x"', 'Bearer'])
  })

  it('accepts end of input without a blank line, CRLF endings, "=" inside values, and an empty list value as a reset', () => {
    const request = parse('protocol=https\r\nhost=h:8443\r\npassword=a=b=\r\nwwwauth[]=Basic\nwwwauth[]=\nwwwauth[]=Bearer')
    assert.equal(request.attributes.get('host'), 'h:8443')
    assert.equal(request.attributes.get('password'), 'a=b=')
    assert.deepEqual(request.lists.get('wwwauth'), ['Bearer'])
    assert.equal(parse('').attributes.size, 0)
  })

  it('refuses what git never sends: a NUL byte, a line over 65535 bytes, a line without "="', () => {
    refuses(() => parse('protocol=https\nhost=a\0b\n'), /NUL byte/)
    refuses(() => parse(`host=${'a'.repeat(MAX_LINE_BYTES)}\n`), /over the 65535-byte limit/)
    refuses(() => parse('protocol https\n'), /not a key=value attribute/)
    refuses(() => parse('=value\n'), /not a key=value attribute/)
    assert.equal(parse(`host=${'a'.repeat(MAX_LINE_BYTES - 5)}\n`).attributes.get('host')?.length, MAX_LINE_BYTES - 5)
  })

  it('reading a stream stops at the blank line without waiting for the writer to close', async () => {
    let pulls = 0
    const endless = new Readable({
      read() {
        pulls++
        this.push(pulls === 1 ? 'protocol=https\nhost=dev.azure.com\n\n' : 'more=data\n')
      },
    })
    const request = await readCredentialRequest(endless)
    assert.equal(request.attributes.get('host'), 'dev.azure.com')
    assert.equal(request.attributes.has('more'), false)
  })

  it('a 1 MB line is refused as soon as it passes the limit, not buffered whole', async () => {
    let sent = 0
    const line = new Readable({
      read() {
        if (sent === 0) this.push('host=')
        sent += 16 * 1024
        this.push(sent > 1024 * 1024 ? null : 'a'.repeat(16 * 1024))
      },
    })
    await refusesAsync(readCredentialRequest(line), /over the 65535-byte limit/)
    assert.ok(sent < 200 * 1024, `read ${sent} bytes`)
    await refusesAsync(readCredentialRequest(Readable.from([Buffer.from([0x70, 0x00, 0xff, 0x0a])])), /NUL byte/)
  })

  it('writes key=value lines and never a value that would break the format', () => {
    assert.equal(serializeCredential([['username', 'a'], ['password', 'b.c.d']]), 'username=a\npassword=b.c.d\n')
    assert.throws(() => serializeCredential([['password', 'a\nhost=evil']]))
    assert.throws(() => serializeCredential([['password', 'a\0']]))
  })
})

describe('which hosts get a token, and for which scope', () => {
  const ours = (helper: string) => isEntratoolHelper(helper, '/nowhere/bin/run.js')

  it('Azure Repos hosts always; others only with their own entratool helper entry', () => {
    assert.ok(isConfiguredHost('dev.azure.com', [], ours))
    assert.ok(isConfiguredHost('contoso.visualstudio.com', [], ours))
    assert.ok(!isConfiguredHost('visualstudio.com.evil.test', [], ours))
    assert.ok(!isConfiguredHost('github.com', [], ours))
    const scoped: Array<[string, string]> = [
      ['https://git.example.test:8443', ''],
      ['https://git.example.test:8443', '!entratool git-credential -p ci'],
      ['https://github.com', '!gh auth git-credential'],
      ['https://*.corp.test', "!'/opt/entra tool/entratool' git-credential -p x"],
    ]
    assert.ok(isConfiguredHost('git.example.test:8443', scoped, ours))
    assert.ok(!isConfiguredHost('git.example.test', scoped, ours), 'another port is another server')
    assert.ok(!isConfiguredHost('github.com', scoped, ours), "gh's helper is not entratool's")
    assert.ok(isConfiguredHost('code.corp.test', scoped, ours))
    assert.ok(!isConfiguredHost('a.code.corp.test', scoped, ours), '* is one label')
  })

  it('recognises the helper line setup-git writes, by name or by path, quoted or not', () => {
    assert.ok(ours(helperValue('entratool', 'ci')))
    assert.ok(ours('entratool git-credential'))
    assert.ok(ours(`!${shellQuote('/opt/my tools/entratool')} git-credential -p "a b"`))
    assert.ok(!ours('!entratool get-token'))
    assert.ok(!ours('!/usr/bin/git-credential-manager'))
    assert.ok(!ours('store'))
    assert.equal(helperValue(shellQuote("/it's/run.js"), 'ci'), String.raw`!'/it'\''s/run.js' git-credential -p ci`)
    assert.ok(ours(helperValue(shellQuote("/it's/entratool"), 'ci')))
  })

  it('--scope, else a profile scope naming a resource other than Graph, else Azure DevOps', () => {
    assert.deepEqual(gitScopes(['api://x/.default'], ['api://y/.default']), ['api://x/.default'])
    assert.deepEqual(gitScopes(undefined, ['api://y/.default']), ['api://y/.default'])
    assert.deepEqual(gitScopes(undefined, undefined), [AZURE_DEVOPS_SCOPE])
    assert.deepEqual(gitScopes(undefined, ['https://graph.microsoft.com/User.Read']), [AZURE_DEVOPS_SCOPE])
    assert.deepEqual(gitScopes(undefined, ['User.Read', 'openid']), [AZURE_DEVOPS_SCOPE])
    assert.equal(AZURE_DEVOPS_SCOPE, '499b84ac-1321-427f-aa17-267ca6975798/.default')
  })
})

describe('git-credential start-up fast path: which invocations it may take', () => {
  it('takes what setup-git writes, with the operation git appends', () => {
    assert.deepEqual(parseFastGitArgs(['git-credential', '-p', 'ci', 'get']), {operation: 'get', profile: 'ci', scope: []})
    assert.deepEqual(parseFastGitArgs(['git-credential', '--profile=ci', '-s', 'api://x/.default', 'store']), {operation: 'store', profile: 'ci', scope: ['api://x/.default']})
    assert.deepEqual(parseFastGitArgs(['git-credential', 'erase']), {operation: 'erase', scope: []})
  })

  for (const argv of [['git-credential'], ['git-credential', '--help'], ['git-credential', '-p'], ['git-credential', '--debug', 'get'], ['git-credential', 'get', 'extra'], ['get-token']]) {
    it(`leaves ${argv.join(' ')} to oclif`, () => assert.equal(parseFastGitArgs(argv), undefined))
  }
})
