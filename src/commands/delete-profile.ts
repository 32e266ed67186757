import {Flags} from '@oclif/core'

import {BaseCommand} from '../cli/base-command.js'
import {ProfileService} from '../profiles/profile-service.js'
import {confirmDelete} from '../profiles/prompt-profile.js'

export default class DeleteProfile extends BaseCommand {
  static override description = `Removes a profile, its cached tokens and its stored secrets.

On a terminal it asks first; --yes skips the question. Without a terminal (scripts) it deletes without asking.`

  static override examples = [
    {command: '<%= config.bin %> delete-profile --name myapp', description: 'Delete a profile (asks on a terminal)'},
    {command: '<%= config.bin %> delete-profile --name myapp --yes', description: 'Without the question'},
  ]

  static override flags = {
    name: Flags.string({aliases: ['profile'], char: 'p', description: 'The profile to delete.', helpValue: '<name>', required: true}),
    yes: Flags.boolean({char: 'y', description: 'Do not ask for confirmation.'}),
  }

  async run(): Promise<{deleted: boolean; name: string}> {
    const {flags} = await this.parse(DeleteProfile)
    const service = new ProfileService(this.config, this.io.env, this.ui)
    const profile = await service.store.get(flags.name)
    if (!flags.yes && this.canPrompt && !(await confirmDelete(profile.name))) {
      this.ui.status(`Profile '${profile.name}' kept.`)
      return {deleted: false, name: profile.name}
    }

    await service.delete(profile.name)
    this.ui.success(`Profile '${profile.name}' deleted, with its cached tokens and stored secrets`)
    return {deleted: true, name: profile.name}
  }
}
