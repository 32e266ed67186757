import {spawn} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'

import {type Emulator, startEmulator} from '../emulator/index.js'

export const ROOT = resolve(import.meta.dirname, '..', '..')
export const BIN = join(ROOT, 'bin', 'run.js')

export interface CliResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

export interface CliOptions {
  env?: Record<string, string | undefined>
  input?: string
  timeoutMs?: number
}

/** Only what a clean shell would have: no ENTRATOOL_*, AZURE_* or proxy settings leak in from the host. */
export function baseEnv(home: string): Record<string, string> {
  return {HOME: home, LANG: 'C.UTF-8', NO_COLOR: '1', PATH: process.env.PATH ?? '/usr/bin:/bin', TMPDIR: tmpdir(), XDG_CONFIG_HOME: join(home, '.config'), XDG_DATA_HOME: join(home, '.local/share')}
}

/** Runs the built CLI as a subprocess, as users and scripts do. */
export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  const env = Object.fromEntries(Object.entries(options.env ?? {}).filter(([, v]) => v !== undefined)) as Record<string, string>
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {env, stdio: ['pipe', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000)
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolvePromise({code, signal, stderr, stdout})
    })
    // A command may refuse its input before reading all of it (git-credential stops at a line over
    // 64 KB): the rest of the write then fails with EPIPE, as for any pipe whose reader left.
    child.stdin.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') reject(error)
    })
    child.stdin.end(options.input ?? '')
  })
}

/** A fresh home and config directory for one test file; removed by `cleanup`. */
export function sandbox(): {home: string; configDir: string; env: Record<string, string>; cleanup: () => void} {
  const home = mkdtempSync(join(tmpdir(), 'entratool-test-'))
  const configDir = join(home, 'config')
  return {cleanup: () => rmSync(home, {force: true, recursive: true}), configDir, env: {...baseEnv(home), ENTRATOOL_CONFIG_DIR: configDir}, home}
}

export type Sandbox = ReturnType<typeof sandbox>

/** The setup of every end-to-end suite: the emulator, and a sandbox whose environment trusts it. */
export async function emulatorSandbox(extraEnv: Record<string, string> = {}): Promise<{emu: Emulator; box: Sandbox; env: Record<string, string>}> {
  const emu = await startEmulator()
  const box = sandbox()
  return {box, emu, env: {...box.env, ENTRATOOL_CA_FILE: emu.caFile, ...extraEnv}}
}

export async function closeEmulatorSandbox(emu: Emulator | undefined, box: Sandbox | undefined): Promise<void> {
  await emu?.stop()
  box?.cleanup()
}
