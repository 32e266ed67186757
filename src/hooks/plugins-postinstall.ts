import {Errors, type Interfaces} from '@oclif/core'
import {join} from 'node:path'

import {EXIT_CODES} from '../errors.js'
import {discoverFlows} from '../flows/registry.js'

/**
 * Right after `plugins install`: a plugin built for another flow contract would be refused at
 * every run, so it is removed again and the install fails, saying why (README "Plugins").
 */
const hook = async function ({config}: {config: Interfaces.Config}): Promise<void> {
  const {problems} = await discoverFlows(config)
  // Installed by `plugins install` = under the data dir (the type oclif reports right after an install is not 'user').
  const installed = (plugin: string) => config.plugins.get(plugin)?.root.startsWith(join(config.dataDir, 'node_modules')) ?? false
  const refused = problems.filter(({plugin}) => installed(plugin))
  for (const {plugin, problem} of problems) {
    if (!refused.some((r) => r.plugin === plugin)) process.stderr.write(`Warning: ${plugin} is installed but refused: ${problem}\n`)
  }

  if (refused.length === 0) return
  for (const plugin of new Set(refused.map((r) => r.plugin))) await config.runCommand('plugins:uninstall', [plugin])
  const reasons = refused.map(({plugin, problem}) => `${plugin}: ${problem}`).join('; ')
  throw new Errors.CLIError(`refused and removed again: ${reasons}`, {exit: EXIT_CODES.config})
}

export default hook
