import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {gitCommit, versionLine} from '../../src/lib/build-info.js'
import {BIN, ROOT, runCli, sandbox} from '../helpers/cli.js'

const SHA = 'a'.repeat(40)
const OTHER = 'b'.repeat(40)

describe('the commit in --version, read from .git files', () => {
  let dir: string
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'entratool-git-'))
  })
  afterEach(() => rmSync(dir, {force: true, recursive: true}))

  function write(path: string, text: string): void {
    mkdirSync(join(dir, path, '..'), {recursive: true})
    writeFileSync(join(dir, path), text)
  }

  it('a branch with a loose ref', () => {
    write('.git/HEAD', 'ref: refs/heads/main\n')
    write('.git/refs/heads/main', `${SHA}\n`)
    assert.equal(gitCommit(dir), SHA)
  })

  it('a branch only in packed-refs', () => {
    write('.git/HEAD', 'ref: refs/heads/main\n')
    write('.git/packed-refs', `# pack-refs with: peeled fully-peeled sorted\n${OTHER} refs/heads/other\n${SHA} refs/heads/main\n`)
    assert.equal(gitCommit(dir), SHA)
  })

  it('a detached HEAD', () => {
    write('.git/HEAD', `${SHA}\n`)
    assert.equal(gitCommit(dir), SHA)
  })

  it('a worktree: .git is a file naming the git directory, refs live in the common directory', () => {
    write('.git', 'gitdir: repo.git/worktrees/wt\n')
    write('repo.git/worktrees/wt/HEAD', 'ref: refs/heads/wt\n')
    write('repo.git/worktrees/wt/commondir', '../..\n')
    write('repo.git/refs/heads/wt', `${SHA}\n`)
    assert.equal(gitCommit(dir), SHA)
  })

  it('none for an installed copy (no .git), an unborn branch or a broken pointer', () => {
    assert.equal(gitCommit(dir), undefined)
    assert.equal(versionLine('entratool/1.0.0 linux-x64 node-v20.0.0', dir), 'entratool/1.0.0 linux-x64 node-v20.0.0')
    write('.git/HEAD', 'ref: refs/heads/unborn\n')
    assert.equal(gitCommit(dir), undefined)
    rmSync(join(dir, '.git'), {recursive: true})
    write('.git', 'nonsense\n')
    assert.equal(gitCommit(dir), undefined)
  })

  it('this checkout: `--version`, `-v` and `version` name the commit git names', async function () {
    let head: string
    try {
      head = execFileSync('git', ['-C', ROOT, 'rev-parse', 'HEAD'], {encoding: 'utf8'}).trim()
    } catch {
      return this.skip()
    }

    assert.ok(BIN.startsWith(ROOT))
    const {version} = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {version: string}
    const box = sandbox()
    try {
      for (const args of [['--version'], ['-v'], ['version']]) {
        const res = await runCli(args, {env: box.env})
        assert.equal(res.code, 0, res.stderr)
        assert.equal(res.stdout, `entratool/${version} ${process.platform}-${process.arch} node-${process.version} commit ${head}\n`)
      }

      const json = JSON.parse((await runCli(['version', '-o', 'json'], {env: box.env})).stdout)
      assert.deepEqual({commit: json.commit, version: json.version}, {commit: head, version})
    } finally {
      box.cleanup()
    }
  })
})
