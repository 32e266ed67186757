import {Flags} from '@oclif/core'

import {BaseCommand} from '../cli/base-command.js'
import {ProfileService} from '../profiles/profile-service.js'

export default class ClearCache extends BaseCommand {
  static override description = "Drops cached tokens (access and refresh tokens) of one profile or of all. Profiles and stored secrets stay."

  static override examples = [
    {command: '<%= config.bin %> clear-cache --profile myapp', description: 'One profile'},
    {command: '<%= config.bin %> clear-cache --all', description: 'Every profile'},
  ]

  static override flags = {
    all: Flags.boolean({description: 'Clear the tokens of every profile.', exactlyOne: ['all', 'profile']}),
    profile: Flags.string({char: 'p', description: 'The profile whose tokens to clear.', exactlyOne: ['all', 'profile'], helpValue: '<name>'}),
  }

  /** The profiles whose tokens were cleared. */
  async run(): Promise<string[]> {
    const {flags} = await this.parse(ClearCache)
    const service = new ProfileService(this.config, this.io.env, this.ui)
    const names = flags.all ? Object.keys(service.store.read().profiles) : [(await service.store.get(flags.profile!)).name]
    for (const name of names) await service.clearTokens(name)
    this.ui.success(flags.all ? `Cleared cached tokens of ${names.length} profile(s)` : `Cleared cached tokens of profile '${names[0]}'`)
    return names
  }
}
