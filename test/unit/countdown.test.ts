import assert from 'node:assert/strict'

import type {Clock} from '../../src/flows/contract.js'
import {COUNTDOWN_LOG_EVERY_MS, formatLeft, Ui} from '../../src/ui/ui.js'

/** A clock that moves only when the test says so; sleepers wake in order, as timers would. */
function fakeClock(start: number) {
  let now = start
  const sleepers: {at: number; wake: () => void}[] = []
  const clock: Clock = {
    now: () => now,
    sleep: (ms, signal) =>
      new Promise<void>((resolve, reject) => {
        const entry = {at: now + ms, wake: resolve}
        sleepers.push(entry)
        signal?.addEventListener('abort', () => {
          sleepers.splice(sleepers.indexOf(entry), 1)
          reject(new Error('aborted'))
        })
      }),
  }
  const settle = () => new Promise((r) => setImmediate(r))
  const advance = async (ms: number) => {
    const end = now + ms
    for (;;) {
      sleepers.sort((a, b) => a.at - b.at)
      const next = sleepers[0]
      if (!next || next.at > end) break
      sleepers.shift()
      now = next.at
      next.wake()
      await settle()
    }

    now = end
    await settle()
  }

  return {advance, clock, settle, sleeping: () => sleepers.length}
}

function stream(isTTY: boolean) {
  const chunks: string[] = []
  const fake = {chunks, isTTY, text: () => chunks.join(''), write: (c: string) => chunks.push(c) > 0}
  return fake as typeof fake & NodeJS.WritableStream
}

describe('Ui.countdown: time left, in place on a terminal, a line every 30 s in a log', () => {
  const T0 = Date.parse('2026-12-02T10:00:00Z')
  const savedTz = process.env.TZ
  after(() => {
    if (savedTz === undefined) delete process.env.TZ
    else process.env.TZ = savedTz
  })
  const words = (left: string, at: string) => `the code expires in ${left} (at ${at})`

  it('formats what is left as m:ss, h:mm:ss past an hour, rounding up', () => {
    assert.equal(formatLeft(900_000), '15:00')
    assert.equal(formatLeft(899_001), '15:00')
    assert.equal(formatLeft(59_000), '0:59')
    assert.equal(formatLeft(1), '0:01')
    assert.equal(formatLeft(3_723_000), '1:02:03')
  })

  it('without a terminal: a line at once, then one every 30 s, none after the end', async () => {
    process.env.TZ = 'UTC'
    const {advance, clock, sleeping} = fakeClock(T0)
    const out = stream(false)
    const ui = new Ui({clock, debug: false, env: {}, silent: false, stream: out})
    ui.countdown(T0 + 95_000, words)
    await advance(0)
    assert.equal(out.text(), '⏳ the code expires in 1:35 (at 2026-12-02 10:01:35 +00:00)\n')
    await advance(COUNTDOWN_LOG_EVERY_MS - 1)
    assert.equal(out.chunks.length, 1, 'nothing before 30 s')
    await advance(1)
    await advance(60_000)
    await advance(10_000)
    const lines = out.text().split('\n').filter(Boolean)
    assert.deepEqual(lines.map((l) => /in (\S+)/.exec(l)![1]), ['1:35', '1:05', '0:35', '0:05'])
    assert.equal(out.text().includes('\r'), false)
    assert.equal(sleeping(), 0, 'the countdown ended by itself at the deadline')
  })

  it('on a terminal: one line rewritten each second with \\r and spaces only, blanked before the next line', async () => {
    const {advance, clock} = fakeClock(T0 + 250)
    const out = stream(true)
    const ui = new Ui({clock, debug: false, env: {NO_COLOR: '1'}, silent: false, stream: out})
    const stop = ui.countdown(T0 + 12_000, (left) => `waiting, ${left} left`)
    await advance(0)
    assert.deepEqual(out.chunks, ['\r⏳ waiting, 0:12 left'])
    await advance(750) // the shown second changes exactly when it should
    assert.equal(out.chunks.at(-1), '\r⏳ waiting, 0:11 left')
    await advance(2000)
    assert.equal(out.chunks.at(-1), '\r⏳ waiting, 0:09 left')
    ui.success('Authentication successful!')
    stop()
    const width = [...'⏳ waiting, 0:09 left'].length
    assert.equal(out.chunks.at(-2), `\r${' '.repeat(width)}\r`)
    assert.equal(out.chunks.at(-1), '✓ Authentication successful!\n')
    const before = out.chunks.length
    await advance(5000)
    assert.equal(out.chunks.length, before, 'stopped: nothing more')
    assert.equal(out.text().includes(String.fromCharCode(27)), false, 'no escape codes with NO_COLOR')
  })

  it('a shorter line is padded so nothing of the longer one remains', async () => {
    const {advance, clock} = fakeClock(T0)
    const out = stream(true)
    const ui = new Ui({clock, debug: false, env: {}, silent: false, stream: out})
    ui.countdown(T0 + 3_600_000 + 1000, (left) => left)
    await advance(0)
    assert.equal(out.chunks[0], '\r⏳ 1:00:01')
    await advance(1000)
    assert.equal(out.chunks[1], '\r⏳ 1:00:00')
    await advance(1000)
    assert.equal(out.chunks[2], '\r⏳ 59:59  ')
  })

  it('prints nothing with --silent', async () => {
    const {advance, clock} = fakeClock(T0)
    const out = stream(true)
    new Ui({clock, debug: false, env: {}, silent: true, stream: out}).countdown(T0 + 60_000, words)()
    await advance(60_000)
    assert.deepEqual(out.chunks, [])
  })
})
