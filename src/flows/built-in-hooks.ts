import {readFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {dirname, join} from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'

import credentialProvider from '../hooks/credential-provider.js'
import type {StateDirs} from '../storage/state-dirs.js'
import {CREDENTIAL_PROVIDER_HOOK, type CredentialProviderOptions} from '../storage/storage.js'
import type {BundledFlowHook} from './bundled-flow-hooks.js'
import {FLOWS_HOOK} from './contract.js'
import type {HookHost} from './service-deps.js'

interface PackageJson {
  name: string
  bundleDependencies?: string[]
  oclif?: {hooks?: Record<string, string | string[]>; plugins?: string[]}
}

type Answer = {plugin: {name: string}; result: unknown}
type Failure = {error: Error; plugin: {name: string}}

/**
 * The hooks of the build's own plugins, answered without booting oclif: the token service's mode
 * for calls no user-installed plugin could answer (the caller checks userPluginsInstalled). The
 * core's storage hook is this build's own; the flow plugins are the ones its package.json bundles,
 * found from their package.json's `oclif.hooks` exactly as oclif finds them, and imported directly.
 * Results have the shape of oclif's runHook (captured errors), so the same code reads them.
 */
export function builtInHooks(dirs: StateDirs, root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')): HookHost {
  let own: PackageJson | undefined
  // dist/flows/ and dist/hot/ (the bundle) are both two levels below the package root.
  const pkg = (): PackageJson => (own ??= JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as PackageJson)
  const host: HookHost = {
    configDir: dirs.config,
    dataDir: dirs.data,
    get name() {
      return pkg().name
    },
    async runHook(event: string, options: object) {
      const successes: Answer[] = []
      const failures: Failure[] = []
      const call = async (plugin: string, run: () => Promise<unknown>) => {
        try {
          successes.push({plugin: {name: plugin}, result: await run()})
        } catch (error) {
          failures.push({error: error as Error, plugin: {name: plugin}})
        }
      }

      if (event === CREDENTIAL_PROVIDER_HOOK) await call(pkg().name, () => credentialProvider(options as CredentialProviderOptions))
      if (event === FLOWS_HOOK) {
        const {bundledFlowHooks} = await import('./bundled-flow-hooks.js')
        const bundled = new Set(pkg().bundleDependencies ?? [])
        // All at once: each is a few files to read and compile. runHook's answers carry no order.
        const hooks: {load: () => Promise<BundledFlowHook['hook']>; plugin: string}[] =
          bundledFlowHooks?.map(({hook, plugin}) => ({load: async () => hook, plugin})) ??
          (pkg().oclif?.plugins ?? [])
            .filter((p) => bundled.has(p))
            .flatMap((plugin) => flowHooks(root, plugin).map((file) => ({load: async () => (await import(pathToFileURL(file).href)).default as BundledFlowHook['hook'], plugin})))
        await Promise.all(hooks.map(({load, plugin}) => call(plugin, async () => (await load()).call({config: host}, {...options, config: host}))))
      }

      return {failures, successes}
    },
  } as HookHost
  return host
}

/**
 * The flows-hook files of a bundled plugin. npm keeps bundled dependencies in the package's own
 * node_modules (a workspace checkout links them there too), so its package.json is read from
 * there directly; Node's resolver is asked only when it is not (it costs a CommonJS resolver start).
 */
function flowHooks(root: string, plugin: string): string[] {
  let manifest = join(root, 'node_modules', plugin, 'package.json')
  let text: string
  try {
    text = readFileSync(manifest, 'utf8')
  } catch {
    manifest = createRequire(join(root, 'package.json')).resolve(`${plugin}/package.json`)
    text = readFileSync(manifest, 'utf8')
  }

  const hooks = (JSON.parse(text) as PackageJson).oclif?.hooks?.[FLOWS_HOOK] ?? []
  return [hooks].flat().map((file) => join(dirname(manifest), file))
}
