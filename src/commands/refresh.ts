import {Flags} from '@oclif/core'

import {TokenService} from '../flows/token-service.js'
import {BaseCommand} from '../cli/base-command.js'
import {profileFlag} from '../lib/flags.js'
import {renderToken, TOKEN_FORMATS} from '../lib/render-token.js'

export default class Refresh extends BaseCommand {
  static description = 'Forces a new access token: with the refresh token for delegated profiles (no sign-in), with a new request for application profiles.'

  static examples = [
    {command: '<%= config.bin %> refresh --profile myapp', description: 'Refresh and print the new token'},
    {command: '<%= config.bin %> refresh -p myapp -o json -q', description: 'As JSON, without status lines'},
  ]

  static flags = {
    output: Flags.string({char: 'o', default: 'token', description: 'What to print on stdout.', options: [...TOKEN_FORMATS]}),
    profile: profileFlag,
    scope: Flags.string({char: 's', description: 'Scope(s) to request; repeatable, space- or comma-separated.', multiple: true}),
    silent: Flags.boolean({char: 'q', description: 'No status lines on stderr.'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Refresh)
    const ui = this.configureUi({silent: flags.silent})
    const service = new TokenService({config: this.config, env: process.env, signal: this.abort.signal, ui})
    const outcome = await service.getToken({profile: flags.profile, refresh: true, scope: flags.scope})
    process.stdout.write(await renderToken(outcome, flags.output as (typeof TOKEN_FORMATS)[number], process.env))
  }
}
