import {chmodSync, mkdirSync, readdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'

import {ROOT} from './cli.js'

export interface BrowserCommand {
  /** The $BROWSER to give entratool. */
  path: string
  /** Resolves once every browser started so far has exited; rejects after `timeoutMs`. */
  settled(timeoutMs?: number): Promise<void>
}

/**
 * A $BROWSER for tests that runs `test/helpers/<script>` (chromium-sign-in.mjs or
 * scripted-browser.mjs) with the sign-in URL. entratool starts its browser detached and exits as
 * soon as the sign-in reaches its loopback server, while the browser is still closing (Chromium
 * writes ~/.config/chromium and ~/.cache as it goes). A suite that removed its sandbox then raced a
 * live writer (ENOTEMPTY on rmdir). So each run leaves `<pid>.started` before the browser starts
 * and `<pid>.exited` once it has exited, and a suite awaits `settled()` before its cleanup.
 */
export function browserCommand(dir: string, script: 'chromium-sign-in.mjs' | 'scripted-browser.mjs'): BrowserCommand {
  const runs = join(dir, 'browser-runs')
  mkdirSync(runs, {recursive: true})
  const path = join(dir, script.replace(/\.mjs$/, '.sh'))
  writeFileSync(path, `#!/bin/sh\n: > "${runs}/$$.started"\n"${process.execPath}" "${join(ROOT, 'test/helpers', script)}" "$1"\nstatus=$?\n: > "${runs}/$$.exited"\nexit $status\n`)
  chmodSync(path, 0o755)

  return {
    path,
    async settled(timeoutMs = 30_000) {
      const end = Date.now() + timeoutMs
      for (;;) {
        const files = new Set(readdirSync(runs))
        const running = [...files].filter((f) => f.endsWith('.started') && !files.has(f.replace(/\.started$/, '.exited')))
        if (running.length === 0) return
        if (Date.now() > end) throw new Error(`${script} still running after ${timeoutMs} ms: ${running.join(', ')}`)
        await sleep(50)
      }
    },
  }
}
