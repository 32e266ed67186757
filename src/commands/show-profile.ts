import {Flags} from '@oclif/core'

import {BaseCommand} from '../cli/base-command.js'
import {localTimeOf} from '../lib/time.js'
import {ProfileService, type ProfileSummary} from '../profiles/profile-service.js'
import {profileName} from '../settings/resolve.js'

export default class ShowProfile extends BaseCommand {
  static override description = "Shows one profile's settings, token state and storage. Never its secrets: only whether one is stored. Times are local with their zone offset; -o json gives ISO 8601 UTC."

  static override examples = [
    {command: '<%= config.bin %> show-profile --name work', description: 'Show a profile'},
    {command: '<%= config.bin %> show-profile -p work -o json', description: 'As JSON'},
  ]

  static override flags = {
    name: Flags.string({aliases: ['profile'], char: 'p', description: 'Profile to show (default: $ENTRATOOL_PROFILE or the default profile).', helpValue: '<name>'}),
    output: Flags.string({char: 'o', default: 'yaml', description: 'Output format.', options: ['yaml', 'json']}),
  }

  async run(): Promise<ProfileSummary> {
    const {flags} = await this.parse(ShowProfile)
    const service = new ProfileService(this.config, this.io.env, this.ui)
    const name = profileName(flags.name, this.io.env, service.store.read().defaultProfile)
    await service.store.get(name)
    const [summary] = await service.summaries([name])
    // yaml is the view a person reads (the default): local times; json, for scripts, keeps ISO UTC.
    const shown =
      flags.output === 'yaml'
        ? {...summary, created_at: localTimeOf(summary.created_at), token: {...summary.token, expires_at: localTimeOf(summary.token.expires_at)}, updated_at: localTimeOf(summary.updated_at)}
        : summary
    await this.render({document: shown, format: flags.output as 'json' | 'yaml'})
    return summary
  }
}
