import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'

import {commandSurface, render, SNAPSHOT_FILE} from '../../scripts/command-snapshot.js'

describe('command-snapshot.json', () => {
  it('matches the built commands, flags and exit codes', () => {
    assert.equal(
      render(commandSurface()),
      readFileSync(SNAPSHOT_FILE, 'utf8'),
      'a command, flag or exit code changed: if on purpose, run `npm run snapshot:update` and commit command-snapshot.json with the change',
    )
  })
})
