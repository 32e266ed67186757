import {spawn, spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'

import {ProfileStore} from '../../src/profiles/store.js'

const ROOT = resolve(import.meta.dirname, '..', '..')
export const FIXTURES = resolve(import.meta.dirname, 'fixtures')
export const STEPS = join(FIXTURES, 'storage-steps.ts')

export interface Run {
  code: number | null
  stdout: string
  stderr: string
  ms: number
}

/** A fresh temp dir per test, standing in for HOME too, so nothing touches the real home. */
export function tempDir(): {dir: string; cleanup: () => void} {
  const dir = mkdtempSync(join(tmpdir(), 'entratool-storage-'))
  return {cleanup: () => rmSync(dir, {force: true, recursive: true}), dir}
}

/** A clean environment: no session bus, no ENTRATOOL_* from the host. */
export function cleanEnv(home: string, extra: Record<string, string> = {}): Record<string, string> {
  return {HOME: home, LANG: 'C.UTF-8', PATH: process.env.PATH ?? '/usr/bin:/bin', TMPDIR: tmpdir(), XDG_DATA_HOME: join(home, 'data'), ...extra}
}

/**
 * Runs a command in its own process group and kills the whole group when it ends or after
 * `timeoutMs`, so a process stuck in native code cannot hang the suite.
 */
export function run(command: string, args: string[], env: Record<string, string>, timeoutMs = 20_000): Promise<Run> {
  const started = Date.now()
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, {cwd: ROOT, detached: true, env, stdio: ['ignore', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    const killGroup = () => {
      try {
        process.kill(-child.pid!, 'SIGKILL')
      } catch {
        // The group is already gone.
      }
    }

    const timer = setTimeout(killGroup, timeoutMs)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      // Daemons a D-Bus session started (a keyring, a fake service) must not outlive the test.
      killGroup()
      resolvePromise({code, ms: Date.now() - started, stderr, stdout})
    })
  })
}

export const runTs = (script: string, args: string[], env: Record<string, string>, timeoutMs?: number) => run(process.execPath, ['--import', 'tsx', script, ...args], env, timeoutMs)

/** What is missing to run a real Secret Service, or undefined when it can run. */
export function keyringMissing(): string | undefined {
  const missing = ['dbus-run-session', 'gnome-keyring-daemon'].filter((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0)
  return missing.length > 0 ? `${missing.join(' and ')} not installed (scripts/install-system-deps.sh installs them)` : undefined
}

/**
 * Runs shell `commands` inside a private D-Bus session with a fresh, unlocked gnome-keyring
 * (its keyring files live under `home`). `node_ts <script> ...` in the commands runs a TypeScript script.
 */
export function inKeyring(home: string, commands: string, timeoutMs = 30_000): Promise<Run> {
  const script = `printf pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null; node_ts() { "${process.execPath}" --import tsx "$@"; }; ${commands}`
  return run('dbus-run-session', ['--', 'sh', '-c', script], cleanEnv(home), timeoutMs)
}

/** Shell-quotes one argument. */
export const q = (value: string) => `'${value.replaceAll("'", `'\\''`)}'`

export function parseReport<T = StepReport[]>(result: Run): T {
  try {
    return JSON.parse(result.stdout) as T
  } catch {
    throw new Error(`no JSON report (exit ${result.code}):\n${result.stdout}\n${result.stderr}`)
  }
}

export interface StepReport {
  kind?: string
  description?: {secrets: string; tokens: string}
  warnings?: string[]
  results?: (string | null)[]
  error?: string
  exitCode?: number
  ms: number
}

/** A profile whose client secret is stored under `prod/client-secret`: what a migration moves. */
export async function makeProfile(configDir: string): Promise<void> {
  const now = new Date().toISOString()
  await new ProfileStore(configDir).create({clientId: '11111111-2222-3333-4444-555555555555', createdAt: now, name: 'prod', secretRef: 'prod/client-secret', tenantId: 'contoso.onmicrosoft.com', updatedAt: now})
}
