import {Flags} from '@oclif/core'

import {parseDuration} from './duration.js'
import {parsePort, parsePortRange} from './ports.js'

/** Durations are written 90, 90s, 5m or 1h; the parsed value is milliseconds. */
export const durationFlag = Flags.custom<number>({
  helpValue: '<duration>',
  async parse(input) {
    return parseDuration(input)
  },
})

export const portFlag = Flags.custom<number>({
  helpValue: '<port>',
  async parse(input) {
    return parsePort(input)
  },
})

export const portRangeFlag = Flags.custom<[number, number]>({
  helpValue: '<A-B>',
  async parse(input) {
    return parsePortRange(input)
  },
})

export const profileFlag = Flags.string({
  char: 'p',
  description: 'Profile to use (default: $ENTRATOOL_PROFILE, the default profile, or "default").',
  helpValue: '<name>',
})

