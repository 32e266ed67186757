import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../cli/base-command.js'
import {ProcessGitConfig} from '../git/git-config.js'
import {GitCredentialService} from '../git/git-credential-service.js'
import {profileFlag} from '../lib/flags.js'

export default class GitCredential extends BaseCommand {
  static override description = `git's credential helper (gitcredentials(7)): answers git with an Entra access token for the profile, so Azure Repos (or any server set up with setup-git) needs no personal access token.

git runs it with get, store or erase and the request on stdin; \`entratool setup-git\` configures that. The token is for Azure DevOps (499b84ac-1321-427f-aa17-267ca6975798/.default) unless the profile's scope names another resource or --scope is given. A sign-in it needs runs with everything on stderr; with GIT_TERMINAL_PROMPT=0 it fails at once and names the command to sign in with. Hosts not set up for entratool get an empty answer, so git asks its other helpers.`

  static override examples = [
    {command: 'printf "protocol=https\\nhost=dev.azure.com\\n\\n" | <%= config.bin %> git-credential -p ci get', description: 'The answer git reads: the profile\'s token as the password'},
    {command: "git config --global credential.https://dev.azure.com.helper '!<%= config.bin %> git-credential -p ci'", description: 'Configure it by hand (setup-git does this, with an empty helper first)'},
  ]

  static override args = {
    operation: Args.string({description: 'get, store or erase (git appends it); other operations are ignored, as the protocol asks.', required: true}),
  }

  static override flags = {
    profile: profileFlag,
    scope: Flags.string({char: 's', description: 'Scope to request instead of the profile\'s or Azure DevOps\'; repeat the flag for more (git appends the operation after it).', multiple: true, multipleNonGreedy: true}),
  }

  /** The answer given to git (key=value lines; empty for hosts that are not set up). */
  async run(): Promise<string> {
    const {args, flags} = await this.parse(GitCredential)
    const ui = this.configureUi({silent: true})
    const {env, executable, stdin} = this.io
    const service = new GitCredentialService({config: this.config, env, executable, gitConfig: new ProcessGitConfig(env), signal: this.abort.signal, ui})
    const answer = await service.answer(args.operation, stdin, {profile: flags.profile, scope: flags.scope})
    await this.render({text: answer})
    return answer
  }
}
