import {Flags} from '@oclif/core'

import {BaseCommand} from '../cli/base-command.js'
import {table} from '../cli/render.js'
import {localTimeOf} from '../lib/time.js'
import {ProfileService, type ProfileSummary} from '../profiles/profile-service.js'

export default class ListProfiles extends BaseCommand {
  static override description = 'Lists all profiles with their cached-token state and where their tokens and secrets are stored. The default profile is marked with *.'

  static override examples = [
    {command: '<%= config.bin %> list-profiles', description: 'A table'},
    {command: '<%= config.bin %> list-profiles -o json | jq -r ".[].name"', description: 'Profile names for a script'},
  ]

  static override flags = {
    output: Flags.string({char: 'o', default: 'table', description: 'Output format.', options: ['table', 'json', 'yaml']}),
  }

  async run(): Promise<ProfileSummary[]> {
    const {flags} = await this.parse(ListProfiles)
    const service = new ProfileService(this.config, this.io.env, this.ui)
    const profiles = await service.summaries()
    if (flags.output !== 'table') {
      await this.render({document: profiles, format: flags.output as 'json' | 'yaml'})
      return profiles
    }

    if (profiles.length === 0) {
      this.ui.status('No profiles yet. Create one with `entratool create-profile`.')
      return profiles
    }

    const rows = profiles.map((p) => [`${p.default ? '* ' : '  '}${p.name}`, p.flow ?? '-', p.tenant_id, p.client_id, p.token.state === 'none' ? 'none' : `${p.token.state} (${localTimeOf(p.token.expires_at)})`])
    const {description} = await service.openStorage()
    await this.render({text: `${table(['  NAME', 'FLOW', 'TENANT', 'CLIENT ID', 'TOKEN'], rows)}\nTokens: ${description.tokens}\nSecrets: ${description.secrets}\n`})
    return profiles
  }
}
