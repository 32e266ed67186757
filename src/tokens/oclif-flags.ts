import {Flags, type Interfaces} from '@oclif/core'

import {durationFlag, portFlag, portRangeFlag} from '../lib/flags.js'
import type {FlagSpec} from './token-flags.js'

/** oclif's flag for one row of the token flag table (token-flags.ts), for the commands' `static flags`. */
export function oclifFlag(spec: FlagSpec): object {
  const common = {
    aliases: spec.aliases,
    char: spec.char as 'o' | undefined,
    description: spec.description,
    exclusive: spec.exclusive,
    helpGroup: spec.helpGroup,
    helpValue: spec.helpValue,
  }
  const defined = <T extends object>(options: T): T => Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as T
  switch (spec.type) {
    case 'boolean': {
      return Flags.boolean(defined({...common, allowNo: spec.allowNo, default: spec.default as boolean | undefined}))
    }

    case 'duration': {
      const defaultHelp = spec.defaultHelp
      return durationFlag(defined({...common, default: spec.default as number | undefined, defaultHelp: defaultHelp === undefined ? undefined : async () => defaultHelp}))
    }

    case 'port': {
      return portFlag(defined(common))
    }

    case 'port-range': {
      return portRangeFlag(defined(common))
    }

    case 'string': {
      return spec.multiple
        ? Flags.string(defined({...common, multiple: true as const, options: spec.options ? [...spec.options] : undefined}))
        : Flags.string(defined({...common, default: spec.default as string | undefined, options: spec.options ? [...spec.options] : undefined}))
    }
  }
}

/** The parsed value's type of one table row, so `this.parse` keeps each flag's type. */
type FlagFor<S> = S extends {type: 'boolean'}
  ? Interfaces.BooleanFlag<boolean>
  : S extends {type: 'duration'}
    ? Interfaces.OptionFlag<S extends {default: number} ? number : number | undefined>
    : S extends {type: 'port'}
      ? Interfaces.OptionFlag<number | undefined>
      : S extends {type: 'port-range'}
        ? Interfaces.OptionFlag<[number, number] | undefined>
        : S extends {multiple: true}
          ? Interfaces.OptionFlag<string[] | undefined>
          : Interfaces.OptionFlag<S extends {default: string} ? string : string | undefined>

/** oclif's flags for a whole table (in the table's order, which help and the manifest keep). */
export function oclifFlags<T extends Record<string, FlagSpec>>(table: T): {[K in keyof T]: FlagFor<T[K]>} {
  return Object.fromEntries(Object.entries(table).map(([name, spec]) => [name, oclifFlag(spec)])) as {[K in keyof T]: FlagFor<T[K]>}
}
