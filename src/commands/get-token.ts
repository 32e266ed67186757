import {BaseCommand} from '../cli/base-command.js'
import {type TokenOutcome, TokenService} from '../flows/token-service.js'
import {oclifFlags} from '../tokens/oclif-flags.js'
import {renderToken, type TokenFormat} from '../tokens/render-token.js'
import {GET_TOKEN_FLAGS} from '../tokens/token-flags.js'
import {getTokenRequest} from '../tokens/token-request.js'

export default class GetToken extends BaseCommand {
  static override description = `Prints an access token for a profile: a cached one when it is still valid for --min-validity, else a refreshed one, else it runs the profile's flow.

stdout carries only the token (or the --output document); every status line goes to stderr, so TOKEN=$(entratool get-token) works.`

  static override examples = [
    {command: '<%= config.bin %> get-token --flow interactive', description: 'Sign in with the browser (default profile)'},
    {command: '<%= config.bin %> get-token --flow interactive --profile myapp', description: 'Use a named profile'},
    {command: 'TOKEN=$(<%= config.bin %> get-token -p ci -o json | jq -r .access_token)', description: 'In a script'},
    {command: '<%= config.bin %> get-token -p work --scope https://graph.microsoft.com/User.Read', description: 'Override the scopes'},
    {command: 'eval "$(<%= config.bin %> get-token -p ci -o env)"', description: 'Export ENTRA_ACCESS_TOKEN'},
    {command: '<%= config.bin %> get-token -p work --paste-redirect --force --no-browser', description: 'Over SSH, no listener: open the printed URL anywhere, then paste the address the browser ends on'},
    {command: '<%= config.bin %> get-token -p work --www-authenticate "$HDR"', description: "Meet a resource's claims challenge (CAE, step-up): pass its 401 WWW-Authenticate header"},
  ]

  static override flags = oclifFlags(GET_TOKEN_FLAGS)

  async run(): Promise<TokenOutcome> {
    const {flags} = await this.parse(GetToken)
    const ui = this.configureUi({silent: flags.silent})
    const {env} = this.io
    const service = new TokenService({config: this.config, env, signal: this.abort.signal, ui})
    const outcome = await service.getToken(getTokenRequest(flags, env, Boolean(this.io.stderr.isTTY)))
    await this.render({text: await renderToken(outcome, flags.output as TokenFormat, env)})
    return outcome
  }
}
