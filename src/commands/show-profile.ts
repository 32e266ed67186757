import {Flags} from '@oclif/core'

import {BaseCommand} from '../lib/base-command.js'
import {renderData} from '../lib/render-data.js'
import {ProfileService} from '../profiles/profile-service.js'
import {profileName} from '../settings/resolve.js'

export default class ShowProfile extends BaseCommand {
  static description = "Shows one profile's settings, token state and storage. Never its secrets: only whether one is stored."

  static examples = [
    {command: '<%= config.bin %> show-profile --name work', description: 'Show a profile'},
    {command: '<%= config.bin %> show-profile -p work -o json', description: 'As JSON'},
  ]

  static flags = {
    name: Flags.string({aliases: ['profile'], char: 'p', description: 'Profile to show (default: $ENTRATOOL_PROFILE or the default profile).', helpValue: '<name>'}),
    output: Flags.string({char: 'o', default: 'yaml', description: 'Output format.', options: ['yaml', 'json']}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(ShowProfile)
    const service = new ProfileService(this.config, process.env, this.ui)
    const name = profileName(flags.name, process.env, service.store.read().defaultProfile)
    await service.store.get(name)
    const [summary] = await service.summaries([name])
    process.stdout.write(await renderData(summary, flags.output as 'json' | 'yaml'))
  }
}
