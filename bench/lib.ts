/**
 * Process timing, statistics, peak RSS, the bare oclif app used as a baseline, and machine facts
 * for the benchmark. Everything spawns asynchronously: the emulator answers from this process.
 */
import {spawn} from 'node:child_process'
import {existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {cpus, totalmem} from 'node:os'
import {join} from 'node:path'
import {performance} from 'node:perf_hooks'

export interface ProcResult {
  /** Wall time from spawn() to the child's exit, in ms. */
  ms: number
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

export interface ProcOptions {
  env: Record<string, string>
  input?: string
  timeoutMs?: number
  cwd?: string
}

/** Spawns one process and times it from spawn() to 'exit'; output is collected until 'close'. */
export function timeProcess(command: string, args: string[], options: ProcOptions): Promise<ProcResult> {
  return new Promise((resolve, reject) => {
    const start = performance.now()
    const child = spawn(command, args, {cwd: options.cwd, env: options.env, stdio: ['pipe', 'pipe', 'pipe']})
    let ms = 0
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8')
    child.stderr.setEncoding('utf8')
    child.stdout.on('data', (d: string) => (stdout += d))
    child.stderr.on('data', (d: string) => (stderr += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000)
    child.on('exit', () => (ms = performance.now() - start))
    child.on('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({code, ms, signal, stderr, stdout})
    })
    child.stdin.end(options.input ?? '')
  })
}

/** Nearest-rank percentile of a sample (p in 0..100). */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  if (sorted.length === 0) return Number.NaN
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length))
  return sorted[rank - 1]
}

/** The median (mean of the two middle values for an even count). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const n = sorted.length
  if (n === 0) return Number.NaN
  return n % 2 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
}

export const TIME_BIN = '/usr/bin/time'

/**
 * Peak RSS of a whole process. With GNU time: `/usr/bin/time -f %M -o <file>` (kB, the kernel's
 * ru_maxrss of the child). Without it: a preload that writes process.resourceUsage().maxRSS (also kB)
 * when the process exits.
 */
export function rssCommand(args: string[], outFile: string, preload: string): {command: string; args: string[]} {
  if (existsSync(TIME_BIN)) return {args: ['-f', '%M', '-o', outFile, process.execPath, ...args], command: TIME_BIN}
  return {args: ['--import', preload, ...args], command: process.execPath}
}

export function rssMethod(): string {
  return existsSync(TIME_BIN) ? '`/usr/bin/time -f %M` (ru_maxrss of the child)' : "process.resourceUsage().maxRSS written at 'exit' by a preload"
}

/** Reads the kB figure written by rssCommand's wrapper; the last number in the file. */
export function readRssKb(outFile: string): number {
  const numbers = readFileSync(outFile, 'utf8').match(/\d+/g)
  if (!numbers) throw new Error(`no peak RSS in ${outFile}`)
  return Number(numbers.at(-1))
}

export const RSS_PRELOAD_SOURCE = `import {writeFileSync} from 'node:fs'
process.on('exit', () => { if (process.env.BENCH_RSS_FILE) writeFileSync(process.env.BENCH_RSS_FILE, String(process.resourceUsage().maxRSS)) })
`

/**
 * A bare oclif app (one trivial command, no plugins, no hooks) that resolves @oclif/core from the
 * repository's node_modules through a symlink, with its manifest built by the repository's oclif CLI.
 * Returns the path of its bin/run.js.
 */
export async function buildBareOclif(dir: string, root: string, env: Record<string, string>): Promise<string> {
  mkdirSync(join(dir, 'bin'), {recursive: true})
  mkdirSync(join(dir, 'commands'), {recursive: true})
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({bin: {bare: './bin/run.js'}, files: ['bin', 'commands', 'oclif.manifest.json'], name: 'bare-oclif', oclif: {bin: 'bare', commands: './commands', dirname: 'bare-oclif'}, type: 'module', version: '1.0.0'}, null, 2),
  )
  writeFileSync(join(dir, 'bin', 'run.js'), "#!/usr/bin/env node\nimport {execute} from '@oclif/core'\n\nawait execute({dir: import.meta.url})\n")
  writeFileSync(
    join(dir, 'commands', 'hello.js'),
    "import {Command} from '@oclif/core'\n\nexport default class Hello extends Command {\n  static description = 'Say hello'\n\n  async run() {\n    this.log('hello')\n  }\n}\n",
  )
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir')
  const manifest = await timeProcess(process.execPath, [join(root, 'node_modules', 'oclif', 'bin', 'run.js'), 'manifest', dir], {cwd: dir, env, timeoutMs: 120_000})
  const file = join(dir, 'oclif.manifest.json')
  if (manifest.code !== 0 || !existsSync(file)) throw new Error(`oclif manifest for the bare app failed (exit ${manifest.code}): ${manifest.stderr}`)
  const commands = Object.keys(JSON.parse(readFileSync(file, 'utf8')).commands ?? {})
  if (commands.join() !== 'hello') throw new Error(`bare app manifest lists ${JSON.stringify(commands)}, expected ["hello"]`)
  return join(dir, 'bin', 'run.js')
}

export interface Machine {
  cpu: string
  cores: number
  memory: string
  node: string
  os: string
  date: string
}

export function machine(): Machine {
  let cpu = cpus()[0]?.model ?? 'unknown'
  try {
    cpu = readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.+)$/m)?.[1]?.trim() ?? cpu
  } catch {
    // not Linux: os.cpus() it is
  }

  let os = `${process.platform} ${process.arch}`
  try {
    const release = readFileSync('/etc/os-release', 'utf8').match(/^PRETTY_NAME="?([^"\n]+)"?$/m)?.[1]
    if (release) os = `${release} (${process.arch})`
  } catch {
    // no /etc/os-release
  }

  return {
    cores: cpus().length,
    cpu,
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    memory: `${(totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    node: process.version,
    os,
  }
}

export function removeDir(dir: string): void {
  rmSync(dir, {force: true, recursive: true})
}
