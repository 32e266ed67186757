import {BaseCommand} from '../cli/base-command.js'
import {type TokenOutcome, TokenService} from '../flows/token-service.js'
import {oclifFlags} from '../tokens/oclif-flags.js'
import {renderToken, type TokenFormat} from '../tokens/render-token.js'
import {REFRESH_FLAGS} from '../tokens/token-flags.js'
import {refreshRequest} from '../tokens/token-request.js'

export default class Refresh extends BaseCommand {
  static override description = 'Forces a new access token: with the refresh token for delegated profiles (no sign-in), with a new request for application profiles.'

  static override examples = [
    {command: '<%= config.bin %> refresh --profile myapp', description: 'Refresh and print the new token'},
    {command: '<%= config.bin %> refresh -p myapp -o json -q', description: 'As JSON, without status lines'},
  ]

  static override flags = oclifFlags(REFRESH_FLAGS)

  async run(): Promise<TokenOutcome> {
    const {flags} = await this.parse(Refresh)
    const ui = this.configureUi({silent: flags.silent})
    const {env} = this.io
    const service = new TokenService({config: this.config, env, signal: this.abort.signal, ui})
    const outcome = await service.getToken(refreshRequest(flags))
    await this.render({text: await renderToken(outcome, flags.output as TokenFormat, env)})
    return outcome
  }
}
