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
        : {...common, hasDynamicHelp: false, helpValue: option.helpValue ?? HELP_VALUES[option.type], multiple: false, type: 'option'}
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

/**
 * A command's flags with the option flags added where they sort: before the first flag of the
 * command's own, in order, whose name sorts after theirs (grouped flags such as --debug keep
 * their place). Usage lines read as if the options were written into the command; the command's
 * own flag of the same name wins.
 */
export function withOptionFlags<F extends {helpGroup?: string}>(own: Record<string, F>, added: Record<string, F>): Record<string, F> {
  const pending = Object.keys(added)
    .filter((name) => !Object.hasOwn(own, name))
    .sort()
  const out: Record<string, F> = {}
  for (const [name, flag] of Object.entries(own)) {
    while (!flag.helpGroup && pending.length > 0 && pending[0] < name) {
      const next = pending.shift()!
      out[next] = added[next]
    }

    out[name] = flag
  }

  for (const name of pending) out[name] = added[name]
  return out
}
