/**
 * The example flow plugin built the way docs/plugins.md tells a plugin author to build one: its
 * own package, `entratool` installed from `npm pack` of this repository (not a path into src/),
 * then `tsc`. No registry is reachable in tests, so the packed core is unpacked into the plugin's
 * node_modules as npm would unpack it, and typescript and @types/node (registry packages for an
 * author) are linked from this repository's node_modules. The core is packed once per process.
 */
import {execFileSync, spawnSync} from 'node:child_process'
import {cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {ROOT} from './cli.js'

const EXAMPLE_SOURCE = join(ROOT, 'examples', 'flow-plugin-example')

export interface PluginBuild {
  dir: string
  /** tsc's exit code. */
  code: number
  /** tsc's diagnostics. */
  output: string
}

let scratch: string | undefined
let core: string | undefined
let example: PluginBuild | undefined

function scratchDir(): string {
  if (scratch) return scratch
  const dir = mkdtempSync(join(tmpdir(), 'entratool-example-'))
  process.once('exit', () => rmSync(dir, {force: true, recursive: true}))
  scratch = dir
  return dir
}

/** `npm pack` of the core, unpacked: what `npm install entratool` puts in node_modules/entratool. */
export function packedCore(): string {
  if (core) return core
  if (!existsSync(join(ROOT, 'dist', 'flows', 'contract.d.ts'))) throw new Error('build first: npm run build')
  const dir = scratchDir()
  const env = {...process.env, npm_config_cache: join(dir, 'npm-cache'), npm_config_offline: 'true', npm_config_update_notifier: 'false'}
  // --ignore-scripts: prepack would build again; the tests run on a fresh build.
  const tarball = execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', dir, '--silent'], {cwd: ROOT, encoding: 'utf8', env}).trim().split('\n').pop()!
  const unpacked = join(dir, 'entratool')
  mkdirSync(unpacked)
  execFileSync('tar', ['-xzf', join(dir, tarball), '-C', unpacked, '--strip-components=1'])
  core = unpacked
  return core
}

/**
 * Copies the example into `<scratch>/<name>`, lets `edit` change its sources, installs its
 * devDependencies as above and runs `tsc` in it.
 */
export function buildExample(name: string, edit?: (dir: string) => void): PluginBuild {
  const dir = join(scratchDir(), name)
  cpSync(EXAMPLE_SOURCE, dir, {filter: (source) => !/[/\\](dist|node_modules)$|\.tsbuildinfo$/.test(source), recursive: true})
  edit?.(dir)
  const modules = join(dir, 'node_modules')
  mkdirSync(join(modules, '@types'), {recursive: true})
  symlinkSync(packedCore(), join(modules, 'entratool'), 'dir')
  symlinkSync(join(ROOT, 'node_modules', 'typescript'), join(modules, 'typescript'), 'dir')
  symlinkSync(join(ROOT, 'node_modules', '@types', 'node'), join(modules, '@types', 'node'), 'dir')
  const tsc = spawnSync(process.execPath, [join(modules, 'typescript', 'bin', 'tsc')], {cwd: dir, encoding: 'utf8'})
  return {code: tsc.status ?? 1, dir, output: `${tsc.stdout}${tsc.stderr}`}
}

/** The example as documented, built once per process: what the install tests pack. */
export function exampleBuild(): PluginBuild {
  example ??= buildExample('flow-plugin-example')
  return example
}
