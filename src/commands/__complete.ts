import {Args, Command} from '@oclif/core'

import {ioOf} from '../cli/io.js'
import {discoverFlows} from '../flows/registry.js'
import {ProfileStore} from '../profiles/store.js'
import {configDir} from '../storage/open-storage.js'

/**
 * Candidates for shell completion, one per line: the profiles that exist now and the flows
 * installed now, so completion never goes stale when profiles or plugins change. Called by the
 * completion functions `entratool autocomplete` installs; prints nothing rather than an error.
 */
export default class Complete extends Command {
  static override args = {
    what: Args.string({options: ['flows', 'profiles'], required: true}),
  }

  static override description = 'Prints completion candidates (used by the shell completion scripts).'
  static override hidden = true

  async run(): Promise<string[]> {
    const {args} = await this.parse(Complete)
    // Not a BaseCommand: no --debug, and no error report a Tab press would show. Its IO is the same.
    const io = ioOf(this.config)
    let candidates: string[] = []
    try {
      candidates =
        args.what === 'profiles'
          ? Object.keys(new ProfileStore(configDir(this.config, io.env)).read().profiles)
          : (await discoverFlows(this.config)).flows.map((f) => f.id)
    } catch {
      // A broken profiles file is reported by every real command; a Tab press shows nothing.
    }

    candidates.sort()
    io.stdout.write(candidates.map((c) => `${c}\n`).join(''))
    return candidates
  }
}
