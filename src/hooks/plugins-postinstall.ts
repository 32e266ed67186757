import type {Interfaces} from '@oclif/core'

import {discoverFlows} from '../flows/registry.js'

/**
 * Right after `plugins install`, say whether the new plugin's flows can be used: a plugin built
 * for another flow contract is installed by npm but its flows are refused at every run, and the
 * person should hear that now rather than at the first `get-token --flow`.
 */
const hook = async function ({config}: {config: Interfaces.Config}): Promise<void> {
  const {problems} = await discoverFlows(config)
  for (const {plugin, problem} of problems) process.stderr.write(`Warning: ${plugin} is installed but refused: ${problem}\n`)
}

export default hook
