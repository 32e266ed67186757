import type {Command, Hook, Interfaces} from '@oclif/core'

import type {FlowOption} from '../flows/contract.js'
import {declaredOptions, discoverFlows} from '../flows/registry.js'
import {cachedOptionFlags, optionFlags, withOptionFlags} from '../settings/option-flags.js'

const COMMANDS_WITH_FLOW = ['create-profile', 'edit-profile', 'get-token']
/** Commands that take the options the installed flows declare as flags of their own. */
export const COMMANDS_WITH_OPTIONS = ['create-profile', 'edit-profile']

type TakesOptions = Command.Class & {flowOptions: readonly FlowOption[]}

/**
 * What flows are installed is known only at run time (plugins can be added with `entratool
 * plugins install`), and with them the `--flow` values and the options flows declare. For help and
 * completion, fill in the listed flows and add the option flags to the commands' manifests; for a
 * run of create-profile or edit-profile, add the option flags to the command itself, so oclif
 * parses, refuses and suggests them like its own. An unknown flow is refused at run time (exit 3
 * with the install command, not 2). Skipped on every other invocation: discovery costs imports.
 */
const hook: Hook<'init'> = async function ({argv, config, id}) {
  const wantsHelp = id === 'help' || id === 'autocomplete' || argv.includes('--help') || argv.includes('-h')
  const runsWithOptions = id !== undefined && COMMANDS_WITH_OPTIONS.includes(id)
  if (!wantsHelp && !runsWithOptions) return
  const catalog = await discoverFlows(config)
  const options = declaredOptions(catalog)
  if (runsWithOptions) {
    const command = (await config.findCommand(id)?.load()) as TakesOptions | undefined
    if (command) {
      // The command's own flags win; the registry already refuses an option taking one.
      command.flags = withOptionFlags(command.flags as Interfaces.FlagInput, optionFlags(options))
      command.flowOptions = options
    }
  }

  if (!wantsHelp) return
  for (const commandId of COMMANDS_WITH_OPTIONS) {
    const cached = config.findCommand(commandId)
    if (cached) cached.flags = withOptionFlags(cached.flags, cachedOptionFlags(options))
  }

  const names = catalog.flows.flatMap((f) => [f.id, ...(f.aliases ?? [])])
  for (const commandId of COMMANDS_WITH_FLOW) {
    const flag = config.findCommand(commandId)?.flags.flow
    if (flag?.type === 'option') {
      flag.options = names
      flag.description = `${flag.description?.replace(/ Installed:.*$/, '')} Installed: ${catalog.flows.map((f) => f.id).join(', ')}.`
    }
  }
}

export default hook
