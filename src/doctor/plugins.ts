import type {Interfaces} from '@oclif/core'
import {readFile} from 'node:fs/promises'
import {join} from 'node:path'

import {discoverFlows} from '../flows/registry.js'
import {type CheckResult, fail, ok} from './check.js'

/**
 * The flows installed and every plugin that failed: plugins oclif could not load at all (listed
 * in the data directory's package.json but absent), and plugins whose flows hook failed or
 * answered something entratool cannot use.
 */
export async function pluginChecks(config: Interfaces.Config): Promise<CheckResult[]> {
  const results: CheckResult[] = []
  const {flows, problems} = await discoverFlows(config)
  results.push(
    flows.length > 0
      ? ok('flows', `${flows.map((f) => f.id).join(', ')} (${flows.length} flow${flows.length === 1 ? '' : 's'} installed)`)
      : fail('flows', 'no flow is installed', 'reinstall entratool; its four built-in flows ship with it'),
  )
  for (const name of await unloadedUserPlugins(config)) {
    results.push(fail(`plugin ${name}`, `did not load (listed in ${join(config.dataDir, 'package.json')})`, `reinstall it: \`${config.bin} plugins uninstall ${name}\` then \`${config.bin} plugins install ${name}\``))
  }

  for (const {plugin, problem} of problems) {
    results.push(fail(`plugin ${plugin}`, problem, `update it or remove it: \`${config.bin} plugins uninstall ${plugin}\``))
  }

  return results
}

async function unloadedUserPlugins(config: Interfaces.Config): Promise<string[]> {
  let listed: unknown[]
  try {
    const pjson = JSON.parse(await readFile(join(config.dataDir, 'package.json'), 'utf8')) as {oclif?: {plugins?: unknown[]}}
    listed = pjson.oclif?.plugins ?? []
  } catch {
    return []
  }

  const names = listed.map((p) => (typeof p === 'string' ? p : (p as {name?: string})?.name)).filter((n): n is string => typeof n === 'string')
  return names.filter((name) => !config.plugins.has(name))
}
