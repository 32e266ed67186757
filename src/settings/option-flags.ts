/**
 * Declared flow options as oclif flags: what create-profile and edit-profile parse, and the
 * manifest form help and shell completion read. Built from the declaration's type alone.
 */
import {type Command, Flags, type Interfaces} from '@oclif/core'

import type {FlowOption, FlowOptionValue} from '../flows/contract.js'
import {HELP_VALUES, parseOptionText} from './flow-options.js'

function flagNames(options: readonly FlowOption[], names: readonly string[] | undefined): string[] | undefined {
  if (!names?.length) return undefined
  return names.map((name) => options.find((o) => o.name === name)?.flag ?? name)
}

/** The flags for a set of declared options, keyed by flag name. */
export function optionFlags(options: readonly FlowOption[]): Interfaces.FlagInput {
  const flags: Interfaces.FlagInput = {}
  for (const option of options) {
    const common = {description: option.description, exclusive: flagNames(options, option.exclusive)}
    flags[option.flag] =
      option.type === 'boolean'
        ? Flags.boolean({...common, allowNo: true})
        : Flags.custom<unknown>({
            ...common,
            helpValue: option.helpValue ?? HELP_VALUES[option.type],
            // A path or text is taken as written; what is wrong with it is said when it is used.
            parse: async (input) => (option.type === 'path' || option.type === 'string' ? input : parseOptionText(option, input)),
          })()
  }

  return flags
}

/** The same flags as a command manifest holds them (what help and completion read). */
export function cachedOptionFlags(options: readonly FlowOption[]): Record<string, Command.Flag.Cached> {
  const cached: Record<string, Command.Flag.Cached> = {}
  for (const option of options) {
    const common = {description: option.description, exclusive: flagNames(options, option.exclusive), name: option.flag}
    cached[option.flag] =
      option.type === 'boolean'
        ? {...common, allowNo: true, type: 'boolean'}
        : {...common, helpValue: option.helpValue ?? HELP_VALUES[option.type], multiple: false, type: 'option'}
  }

  return cached
}

/** The option values the parsed flags gave, by option name (absent = not given). */
export function optionsFromFlags(options: readonly FlowOption[], flags: Readonly<Record<string, unknown>>): Record<string, FlowOptionValue> {
  const given: Record<string, FlowOptionValue> = {}
  for (const option of options) {
    const value = flags[option.flag]
    if (value !== undefined) given[option.name] = value as FlowOptionValue
  }

  return given
}
