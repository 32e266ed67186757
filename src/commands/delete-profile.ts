import {Flags} from '@oclif/core'

import {BaseCommand} from '../lib/base-command.js'
import {ProfileService} from '../profiles/profile-service.js'

export default class DeleteProfile extends BaseCommand {
  static description = 'Removes a profile, its cached tokens and its stored secrets.'

  static examples = [{command: '<%= config.bin %> delete-profile --name myapp', description: 'Delete a profile'}]

  static flags = {
    name: Flags.string({aliases: ['profile'], char: 'p', description: 'The profile to delete.', helpValue: '<name>', required: true}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(DeleteProfile)
    await new ProfileService(this.config, process.env, this.ui).delete(flags.name)
    this.ui.success(`Profile '${flags.name}' deleted, with its cached tokens and stored secrets`)
  }
}
