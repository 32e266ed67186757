import assert from 'node:assert/strict'

import {localTime, localTimeOf, wallClock} from '../../src/lib/time.js'

/** Node re-reads the zone when process.env.TZ is assigned, so each row runs in its own zone. */
describe('the one human time format: local time with its zone offset', () => {
  const saved = process.env.TZ
  after(() => {
    if (saved === undefined) delete process.env.TZ
    else process.env.TZ = saved
  })

  const rows: [string, string, string][] = [
    ['UTC', '2026-12-02T14:30:00Z', '2026-12-02 14:30:00 +00:00'],
    ['Europe/Paris', '2026-12-02T14:30:00Z', '2026-12-02 15:30:00 +01:00'],
    ['Europe/Paris', '2026-07-01T14:30:00Z', '2026-07-01 16:30:00 +02:00'],
    ['Asia/Kolkata', '2026-12-02T20:00:05Z', '2026-12-03 01:30:05 +05:30'],
    ['America/St_Johns', '2026-12-02T01:00:00Z', '2026-12-01 21:30:00 -03:30'],
    ['Pacific/Chatham', '2026-12-02T00:00:00Z', '2026-12-02 13:45:00 +13:45'],
  ]
  for (const [zone, iso, expected] of rows) {
    it(`${iso} in ${zone} → ${expected}`, () => {
      process.env.TZ = zone
      assert.equal(localTime(new Date(iso)), expected)
      assert.equal(localTimeOf(iso), expected)
      // The text names exactly the instant it came from.
      assert.equal(Date.parse(expected.replace(' ', 'T').replace(' ', '')), Date.parse(iso))
    })
  }

  it('wallClock is the same local time without the zone (for az\'s expiresOn only)', () => {
    process.env.TZ = 'Asia/Kolkata'
    assert.equal(wallClock(new Date('2026-12-02T20:00:05Z')), '2026-12-03 01:30:05')
  })

  it('localTimeOf passes null and what is not a time through unchanged', () => {
    assert.equal(localTimeOf(null), null)
    assert.equal(localTimeOf('soon'), 'soon')
  })
})
