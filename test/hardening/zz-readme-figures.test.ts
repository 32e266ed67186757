import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {ROOT} from '../helpers/cli.js'
import {figures} from './figures.js'

/** README row label → the figure the suites record. */
const ROWS: Record<string, string> = {
  'bad-input cases (exit code, one plain error, empty stdout, config unchanged)': 'badInputCases',
  'concurrent processes run (20 at a time on one config directory)': 'concurrentProcesses',
  'faults survived with the right exit code': 'faultsSurvived',
  'Ctrl+C interruptions (one per flow, one at a prompt), exit 130, nothing left behind': 'interruptions',
  'processes SIGKILLed mid-write, state still readable': 'processesKilled',
  'secret leaks found (stdout, stderr with --debug, every file written)': 'leaksFound',
  'hostile cases refused or made safe (hostile IdP answers, shared profiles, other local users, damaged stores)': 'hostileCases',
}

describe('README "Reliability" figures', () => {
  it('match what the hardening suites just produced', function () {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
    const section = readme.slice(readme.indexOf('## Reliability'))
    let checked = 0
    for (const [label, key] of Object.entries(ROWS)) {
      const row = new RegExp(`^\\| ${label.replaceAll(/[()+.*?[\]^$|\\]/g, String.raw`\$&`)} \\| (\\d+) \\|$`, 'm').exec(section)
      assert.ok(row, `README has no row "${label}"`)
      if (!figures.has(key)) continue
      assert.equal(Number(row[1]), figures.get(key), `README says ${row[1]} for "${label}", the suite produced ${figures.get(key)}: update README.md`)
      checked++
    }

    if (checked === 0) this.skip()
  })
})
