import {Flags} from '@oclif/core'

import {BaseCommand} from '../cli/base-command.js'
import {ProcessGitConfig} from '../git/git-config.js'
import {DEFAULT_GIT_HOST} from '../git/hosts.js'
import {SetupGitService, type SetupGitResult} from '../git/setup-git-service.js'
import {profileFlag} from '../lib/flags.js'

export default class SetupGit extends BaseCommand {
  static override description = `Makes git use entratool for an https host (Azure Repos by default), like \`gh auth setup-git\`: writes credential.https://<host>.helper as an empty entry (so other helpers are not asked first) then "!entratool git-credential -p <profile>", and credential.https://<host>.useHttpPath = true.

It prints what it changed on stderr; running it again changes nothing. --remove takes the entries out again.`

  static override examples = [
    {command: '<%= config.bin %> setup-git -p work', description: 'Azure Repos (dev.azure.com) with the "work" profile, in ~/.gitconfig'},
    {command: '<%= config.bin %> setup-git -p ci --host git.example.com:8443', description: 'Another server that takes Entra tokens'},
    {command: 'cd repo && <%= config.bin %> setup-git -p ci --local', description: 'Only for one repository'},
    {command: '<%= config.bin %> setup-git --remove', description: 'Take entratool out of git\'s config for dev.azure.com'},
  ]

  static override flags = {
    global: Flags.boolean({description: 'Write ~/.gitconfig (the default).', exclusive: ['local']}),
    host: Flags.string({default: DEFAULT_GIT_HOST, description: 'The https host, with :port when it is not 443.', helpValue: '<host>'}),
    local: Flags.boolean({description: 'Write the current repository\'s .git/config instead.'}),
    profile: profileFlag,
    remove: Flags.boolean({description: 'Remove entratool\'s entries for the host instead.'}),
  }

  async run(): Promise<SetupGitResult> {
    const {flags} = await this.parse(SetupGit)
    const {env, executable} = this.io
    const service = new SetupGitService({config: this.config, env, executable, gitConfig: new ProcessGitConfig(env)})
    const result = await service.run({host: flags.host, profile: flags.profile, remove: flags.remove, scope: flags.local ? 'local' : 'global'})
    const {ui} = this
    if (result.changes.length === 0) {
      ui.success(`${result.file}: nothing to change for ${result.url}${flags.remove ? ' (entratool was not set up there)' : ' (already set up)'}`)
      return result
    }

    ui.success(`${result.file}: ${flags.remove ? 'removed entratool for' : 'git now asks entratool for'} ${result.url}`)
    for (const change of result.changes) {
      const shown = change.value === '' ? '(empty: earlier helpers are not asked)' : change.value
      ui.status(`  ${change.action === 'remove' ? '-' : '+'} ${change.key} = ${shown}`)
    }

    return result
  }
}
