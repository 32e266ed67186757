import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {ROOT} from '../helpers/cli.js'

describe('oclif.manifest.json', () => {
  it('as committed matches what `npm run build` produced from the sources', function () {
    let committed: string
    try {
      committed = execFileSync('git', ['show', 'HEAD:oclif.manifest.json'], {cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore']})
    } catch {
      this.skip()
    }

    const built = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8'))
    assert.deepEqual(built, JSON.parse(committed), 'the committed oclif.manifest.json is stale: run `npm run build` and commit it')
  })
})
