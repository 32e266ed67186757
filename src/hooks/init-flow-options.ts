import type {Hook} from '@oclif/core'

import {discoverFlows} from '../flows/registry.js'

const COMMANDS_WITH_FLOW = ['create-profile', 'edit-profile', 'get-token']

/**
 * `--flow` takes whatever flows are installed, which is known only at run time (plugins can be
 * added with `entratool plugins install`). For help and completion, fill the flag's listed values
 * from the installed flows. Validation happens at run time so an unknown flow exits 3 with the
 * install command, not 2. Skipped on every other invocation: discovery costs imports.
 */
const hook: Hook<'init'> = async function ({argv, config, id}) {
  const wantsHelp = id === 'help' || id === 'autocomplete' || argv.includes('--help') || argv.includes('-h')
  if (!wantsHelp) return
  const {flows} = await discoverFlows(config)
  const names = flows.flatMap((f) => [f.id, ...(f.aliases ?? [])])
  for (const commandId of COMMANDS_WITH_FLOW) {
    const flag = config.findCommand(commandId)?.flags.flow
    if (flag?.type === 'option') {
      flag.options = names
      flag.description = `${flag.description?.replace(/ Installed:.*$/, '')} Installed: ${flows.map((f) => f.id).join(', ')}.`
    }
  }
}

export default hook
