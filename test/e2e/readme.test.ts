import assert from 'node:assert/strict'
import {spawn, spawnSync} from 'node:child_process'
import {chmodSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'

import {DEFAULT_USER} from '../emulator/index.js'
import {type BrowserCommand, browserCommand} from '../helpers/browser-command.js'
import {BIN, ROOT, type Sandbox, sandbox} from '../helpers/cli.js'

interface Block {
  line: number
  code: string
  /** Why it is not run here, from the `<!-- not run by test/e2e/readme.test.ts: … -->` line above it. */
  notRun?: string
}

const NOT_RUN = /^<!-- not run by test\/e2e\/readme\.test\.ts: (.+) -->$/

/** Every ```bash / ```sh block of the README, in order. */
function readmeBlocks(): Block[] {
  const lines = readFileSync(join(ROOT, 'README.md'), 'utf8').split('\n')
  const blocks: Block[] = []
  for (let i = 0; i < lines.length; i++) {
    if (!/^```(bash|sh|shell|console)\s*$/.test(lines[i])) continue
    const start = i
    const body: string[] = []
    for (i++; i < lines.length && !lines[i].startsWith('```'); i++) body.push(lines[i])
    blocks.push({code: body.join('\n'), line: start + 1, notRun: NOT_RUN.exec(lines[start - 1] ?? '')?.[1]})
  }

  return blocks
}

/** '' once no process of the group is left, else `ps` of those left (then killed). */
async function groupLeftOver(pgid: number, timeoutMs: number): Promise<string> {
  const end = Date.now() + timeoutMs
  for (;;) {
    try {
      process.kill(-pgid, 0)
    } catch {
      return ''
    }

    if (Date.now() > end) {
      const listing = spawnSync('ps', ['-o', 'pid,ppid,stat,args', '-g', String(pgid)], {encoding: 'utf8'}).stdout
      process.kill(-pgid, 'SIGKILL')
      return listing || `process group ${pgid}`
    }

    await sleep(100)
  }
}

/**
 * The README's command blocks run as written, in order, in one bash (so the emulator started in one
 * block serves the next), with `entratool` on PATH as an install puts it, from the clone's root
 * (`npm run -s emulator`). A block that cannot run here says so, with its reason, on the line
 * above it; this test holds every other block.
 */
describe('README command blocks run as written', function () {
  this.timeout(300_000)
  let box: Sandbox
  let browser: BrowserCommand
  const blocks = readmeBlocks()

  before(() => {
    box = sandbox()
    const bin = join(box.home, 'bin')
    mkdirSync(bin)
    writeFileSync(join(bin, 'entratool'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`)
    chmodSync(join(bin, 'entratool'), 0o755)
    browser = browserCommand(box.home, 'chromium-sign-in.mjs')
  })

  after(async () => {
    try {
      await browser?.settled()
    } finally {
      box?.cleanup()
    }
  })

  it('every block that is not run says why', () => {
    assert.ok(blocks.length > 10, String(blocks.length))
    for (const b of blocks.filter((x) => x.notRun !== undefined)) assert.ok(b.notRun!.length >= 15, `README.md:${b.line}: a reason, please`)
  })

  it('the Install section comes first, and the local-emulator section has a block per flow', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
    assert.equal(/^## .*$/m.exec(readme)?.[0], '## Install')
    const section = readme.slice(readme.indexOf('## Try it against the local emulator'), readme.indexOf('\n## ', readme.indexOf('## Try it against the local emulator') + 5))
    for (const flow of ['client-credentials', 'device-code', 'interactive', 'managed-identity']) assert.match(section, new RegExp(`--flow ${flow}`))
  })

  it('the runnable blocks (the local emulator: start, a profile per flow, a token from each, stop) succeed', async () => {
    const runnable = blocks.filter((b) => b.notRun === undefined)
    assert.ok(runnable.length >= 6, `only ${runnable.length} runnable blocks`)
    const script = ['set -e -o pipefail', ...runnable.flatMap((b) => [`echo "--- README.md:${b.line}" >&2`, b.code])].join('\n')
    const env = {
      ...box.env,
      BROWSER: browser.path,
      PATH: `${join(box.home, 'bin')}:${box.env.PATH}`,
      SIGN_IN_PASSWORD: DEFAULT_USER.password,
      SIGN_IN_USER: DEFAULT_USER.username,
    }
    // Its own process group: anything the README leaves running is found and reported below.
    const child = spawn('bash', ['--norc', '--noprofile', '-c', script], {cwd: ROOT, detached: true, env, stdio: ['ignore', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    const code = await new Promise<null | number>((resolve, reject) => {
      const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 240_000)
      child.on('error', reject)
      child.on('close', (c) => {
        clearTimeout(timer)
        resolve(c)
      })
    })
    // Anything the README started must be gone: an exiting process stays visible until its parent
    // (or init, for an orphan) has reaped it, so allow it a moment, then name what is left.
    const leftOver = await groupLeftOver(child.pid!, 5000)

    const last = stderr.split('\n').filter((l) => l.startsWith('--- README.md:')).pop()
    assert.equal(code, 0, `failed in the block at ${last}:\n${stderr}`)
    assert.equal(leftOver, '', `a process the README started was still running after its last block:\n${leftOver}`)
    // `inspect` of the client-credentials, interactive and managed-identity tokens.
    assert.ok((stdout.match(/api:\/\/entratool-demo-api/g) ?? []).length >= 3, stdout)
    assert.match(stdout, new RegExp(`"username": "${DEFAULT_USER.username}"`), 'the device-code token is alice\'s')
  })
})
