import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../cli/base-command.js'
import {usageError} from '../errors.js'
import {execWithIdentity} from '../identity-server/exec-service.js'
import {splitExecArgv} from '../lib/exec-argv.js'
import {durationFlag, profileFlag} from '../lib/flags.js'

export default class Exec extends BaseCommand {
  static override args = {
    command: Args.string({description: 'The program to run, then its arguments (after --, or after entratool\'s own flags).'}),
  }

  static override description = `Runs a program with your profile's sign-in: a managed-identity endpoint on a loopback port with a fresh secret, for as long as the program runs.

The program gets IDENTITY_ENDPOINT, IDENTITY_HEADER, MSI_ENDPOINT and MSI_SECRET, so Azure SDK credentials (DefaultAzureCredential, ManagedIdentityCredential) in it get fresh tokens however long it runs; with a scope (--scope or the profile's), ENTRA_ACCESS_TOKEN too. Secrets (AZURE_CLIENT_SECRET, ENTRATOOL_CLIENT_SECRET, …) are removed from its environment. Signals are passed on; entratool exits with the program's exit code.`

  static override examples = [
    {command: '<%= config.bin %> exec -p ci -- node deploy.js', description: 'A script whose DefaultAzureCredential gets the ci profile\'s tokens'},
    {command: '<%= config.bin %> exec -p ci -- sh -c \'curl -fsS -H "X-IDENTITY-HEADER: $IDENTITY_HEADER" "$IDENTITY_ENDPOINT?api-version=2019-08-01&resource=https://management.azure.com/"\'', description: 'Any program can ask the endpoint'},
    {command: '<%= config.bin %> exec -p ci --scope https://management.azure.com/.default -- sh -c \'test -n "$ENTRA_ACCESS_TOKEN"\'', description: 'A token in the environment as well'},
  ]

  static override flags = {
    'min-validity': durationFlag({description: 'Tokens handed out stay valid at least this long.', default: 5 * 60_000, defaultHelp: async () => '5m'}),
    profile: profileFlag,
    scope: Flags.string({char: 's', description: 'Scope(s) for ENTRA_ACCESS_TOKEN; repeatable (default: the profile\'s scopes).', multiple: true}),
  }

  /** The command and its arguments belong to the child: oclif parses only what comes before. */
  static override strict = false

  /** The program's exit code, which becomes entratool's. */
  async run(): Promise<number> {
    const {command, own} = splitExecArgv(this.argv, ['-p', '--profile', '-s', '--scope', '--min-validity'])
    const {flags} = await this.parse(Exec, own)
    if (command.length === 0) throw usageError('no program to run', {next: 'name it after the flags: `entratool exec -p PROFILE -- COMMAND ARGS…`'})
    const code = await execWithIdentity({config: this.config, env: this.io.env, signal: this.abort.signal, ui: this.ui}, {
      args: command.slice(1),
      command: command[0],
      minValidityMs: flags['min-validity'],
      profile: flags.profile,
      scope: flags.scope,
    })
    this.io.setExitCode(code)
    return code
  }
}
