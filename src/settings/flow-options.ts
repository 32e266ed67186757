/**
 * Options a flow declares (FlowDescriptor.options), handled by type and never by name: how a
 * value is read from a flag, a prompt or the environment, how a stored value is checked, and the
 * one precedence that picks a value (flag > environment > profile).
 */
import {usageError} from '../errors.js'
import type {FlowOption, FlowOptionType, FlowOptionValue} from '../flows/contract.js'
import {parsePort, parsePortRange} from '../lib/ports.js'
import {checkPortRange} from '../profiles/validate.js'

const TYPES: readonly FlowOptionType[] = ['boolean', 'integer', 'path', 'port', 'port-range', 'string']
const OPTION_NAME = /^[a-z][\dA-Za-z]*$/
const FLAG_NAME = /^[a-z][\da-z]*(-[\da-z]+)*$/
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001F\u007F-\u009F]/

/** The placeholder help shows for a value of each type, unless the option names its own. */
export const HELP_VALUES: Record<Exclude<FlowOptionType, 'boolean'>, string> = {
  integer: '<n>',
  path: '<path>',
  port: '<port>',
  'port-range': '<A-B>',
  string: '<value>',
}

/** Reads a value as a person writes it (flag, prompt, environment); throws with the sentence to show. */
export function parseOptionText(option: FlowOption, text: string): FlowOptionValue {
  switch (option.type) {
    case 'boolean': {
      if (/^(1|true|yes)$/i.test(text.trim())) return true
      if (/^(0|false|no)$/i.test(text.trim())) return false
      throw new Error(`${option.flag} '${text}' is invalid: give true or false`)
    }

    case 'integer': {
      if (!/^-?\d{1,15}$/.test(text.trim())) throw new Error(`${option.flag} '${text}' is invalid: give a whole number`)
      return Number(text)
    }

    case 'port': {
      return parsePort(text)
    }

    case 'port-range': {
      return parsePortRange(text)
    }

    case 'path':
    case 'string': {
      if (CONTROL.test(text)) throw new Error(`${option.flag} must not hold control characters`)
      return text
    }
  }
}

/**
 * What is wrong with a value profiles.json holds for an option (it may be hand-edited or
 * imported), as the end of "profile 'x' …"; undefined when it is fine.
 */
export function optionValueProblem(option: FlowOption, value: unknown): string | undefined {
  const {name} = option
  switch (option.type) {
    case 'boolean': {
      return typeof value === 'boolean' ? undefined : `has a ${name} that is not true or false`
    }

    case 'integer': {
      return Number.isSafeInteger(value) ? undefined : `has an invalid ${name}`
    }

    case 'port': {
      return Number.isInteger(value) && (value as number) > 0 && (value as number) < 65_536 ? undefined : `has an invalid ${name}`
    }

    case 'port-range': {
      return checkPortRange(value)
    }

    case 'path':
    case 'string': {
      if (typeof value !== 'string') return `has a ${name} that is not text`
      if (CONTROL.test(value)) return `has a ${name} with control characters`
    }
  }
  return undefined
}

/** Profile keys the core owns; no option may be named so. */
export const CORE_PROFILE_KEYS: ReadonlySet<string> = new Set(['account', 'authority', 'cae', 'caFile', 'certificatePasswordRef', 'clientId', 'createdAt', 'flow', 'name', 'scopes', 'secretRef', 'tenantId', 'updatedAt'])

/** Flags the profile commands have of their own; no option may take one. */
const CORE_FLAGS: ReadonlySet<string> = new Set(['authority', 'ca-file', 'cae', 'certificate-password-stdin', 'client-id', 'client-secret-stdin', 'debug', 'default', 'flow', 'force', 'help', 'name', 'profile', 'prompt', 'scope', 'tenant', 'tenant-id'])

/**
 * What is wrong with one flow's declarations, given those of the flows accepted before it: a
 * plugin's mistake is reported (`entratool flows`), not obeyed. Two flows may share an option
 * (one profile key, one flag) only when they declare it alike.
 */
export function declarationProblem(options: unknown, accepted: ReadonlyMap<string, FlowOption> = new Map()): string | undefined {
  if (options === undefined) return undefined
  if (!Array.isArray(options)) return 'its options are not a list'
  const names = new Set<string>()
  const flags = new Set<string>()
  for (const option of options as FlowOption[]) {
    if (typeof option !== 'object' || option === null) return 'an option is not an object'
    const {description, env, exclusive, flag, name, type} = option
    if (typeof name !== 'string' || !OPTION_NAME.test(name)) return `option ${JSON.stringify(name)} has an invalid name: use camelCase letters and digits`
    if (CORE_PROFILE_KEYS.has(name) || names.has(name)) return `option '${name}' is taken by entratool or another option`
    if (typeof flag !== 'string' || !FLAG_NAME.test(flag)) return `option '${name}' has an invalid flag ${JSON.stringify(flag)}: use kebab-case`
    if (CORE_FLAGS.has(flag) || flags.has(flag)) return `option '${name}' takes the flag --${flag}, which is taken`
    if (!TYPES.includes(type)) return `option '${name}' has an unknown type ${JSON.stringify(type)}`
    if (typeof description !== 'string' || !description) return `option '${name}' has no description`
    if (env !== undefined && (typeof env !== 'string' || !/^[A-Z_][\dA-Z_]*$/.test(env))) return `option '${name}' names an invalid environment variable`
    if (exclusive !== undefined && !(Array.isArray(exclusive) && exclusive.every((e) => typeof e === 'string'))) return `option '${name}' has an invalid exclusive list`
    if (option.prompt !== undefined && (typeof option.prompt !== 'string' || !option.prompt)) return `option '${name}' has an empty prompt`
    const shared = accepted.get(name) ?? [...accepted.values()].find((o) => o.flag === flag)
    if (shared && (shared.name !== name || shared.flag !== flag || shared.type !== type)) return `option '${name}' (--${flag}) clashes with option '${shared.name}' (--${shared.flag}) of another flow`
    names.add(name)
    flags.add(flag)
  }

  const unknown = (options as FlowOption[]).flatMap((o) => (o.exclusive ?? []).filter((e) => !names.has(e)))
  if (unknown.length > 0) return `an option excludes an option the flow does not declare: ${unknown.join(', ')}`
  return undefined
}

/** Groups of options that exclude each other (the relation made symmetric and transitive). */
function exclusiveGroups(options: readonly FlowOption[]): Map<string, Set<string>> {
  const groups = new Map<string, Set<string>>(options.map((o) => [o.name, new Set([o.name])]))
  for (const option of options) {
    for (const other of option.exclusive ?? []) {
      const merged = new Set([...(groups.get(option.name) ?? []), ...(groups.get(other) ?? [other])])
      for (const member of merged) groups.set(member, merged)
    }
  }

  return groups
}

/** The three places an option's value can come from, in precedence order. */
export interface OptionSources {
  /** Values from command-line flags, by option name (absent = not given). */
  flags: Readonly<Record<string, FlowOptionValue | undefined>>
  env: NodeJS.ProcessEnv
  /** The stored profile (undefined for one-off use). */
  profile?: Readonly<Record<string, unknown>>
}

/**
 * The one precedence for declared options: flag > environment > profile. Options that exclude
 * each other resolve together, from the highest place that sets any of them: `--port` on the
 * command line hides the profile's port range. An environment value the option cannot read is a
 * usage error naming the variable.
 */
export function resolveOptions(options: readonly FlowOption[], sources: OptionSources): Record<string, FlowOptionValue> {
  const {env, flags, profile} = sources
  const fromEnv = (option: FlowOption): FlowOptionValue | undefined => {
    const text = option.env ? env[option.env] : undefined
    if (!text || option.envUnlessProfileHas?.some((key) => profile?.[key] !== undefined && profile[key] !== '')) return undefined
    try {
      return parseOptionText(option, text)
    } catch (error) {
      throw usageError(`${option.env}: ${(error as Error).message}`)
    }
  }

  const levels: Array<(o: FlowOption) => FlowOptionValue | undefined> = [(o) => flags[o.name], fromEnv, (o) => profile?.[o.name] as FlowOptionValue | undefined]
  const groups = exclusiveGroups(options)
  const byName = new Map(options.map((o) => [o.name, o]))
  const out: Record<string, FlowOptionValue> = {}
  for (const option of options) {
    const group = [...groups.get(option.name)!].map((n) => byName.get(n)).filter((o): o is FlowOption => o !== undefined)
    const level = levels.find((read) => group.some((o) => read(o) !== undefined))
    const value = level?.(option)
    if (value !== undefined) out[option.name] = value
  }

  return out
}
