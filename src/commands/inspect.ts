import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../cli/base-command.js'
import {ProfileService} from '../profiles/profile-service.js'
import {decodeToken, summarize} from '../tokens/jwt-inspect.js'
import {readToken} from '../tokens/token-source.js'
import {printable} from '../ui/ui.js'

export default class Inspect extends BaseCommand {
  static override args = {
    token: Args.string({description: 'The JWT, or - to read it from stdin.'}),
  }

  static override description = `Decodes a JWT: header, claims, audience, issuer, scopes or roles, times, and time left.

It does NOT verify the signature: use it to read a token, never to trust one. With --profile it reads that profile's cached token and never prints the token itself.`

  static override examples = [
    {command: '<%= config.bin %> inspect --profile myapp', description: "The cached token's expiry"},
    {command: '<%= config.bin %> get-token -p ci | <%= config.bin %> inspect -', description: 'From stdin'},
    {command: '<%= config.bin %> inspect --file token.jwt -o json --claims', description: 'Only the claims, as JSON'},
  ]

  static override flags = {
    claims: Flags.boolean({description: 'Show only the claims.', exclusive: ['header']}),
    file: Flags.string({description: 'Read the token from a file.', exclusive: ['profile'], helpValue: '<path>'}),
    header: Flags.boolean({description: 'Show only the header.'}),
    output: Flags.string({char: 'o', default: 'pretty', description: 'Output format.', options: ['pretty', 'json', 'yaml']}),
    profile: Flags.string({char: 'p', description: 'Inspect the cached token of this profile (never printed).', exclusive: ['file'], helpValue: '<name>'}),
  }

  /** What -o json shows: the claims, the header or both. */
  async run(): Promise<unknown> {
    const {args, flags} = await this.parse(Inspect)
    const token = await readToken({arg: args.token, file: flags.file, profile: flags.profile}, new ProfileService(this.config, this.io.env, this.ui), this.io.stdin)
    const jwt = await decodeToken(token)
    const selected = flags.claims ? jwt.claims : flags.header ? jwt.header : jwt
    if (flags.output !== 'pretty') {
      await this.render({document: selected, format: flags.output as 'json' | 'yaml'})
      return selected
    }

    const parts = [...(flags.claims ? [] : [`Header\n${JSON.stringify(jwt.header, null, 2)}`]), ...(flags.header ? [] : [`Claims\n${JSON.stringify(jwt.claims, null, 2)}`])]
    if (!flags.claims && !flags.header) parts.push(summarize(jwt).join('\n'))
    // Claims are anyone's text: the pretty view is for a terminal, so control characters are escaped.
    await this.render({text: `${printable(parts.join('\n\n'))}\n\nSignature not verified: this shows what the token says, not that it is genuine.\n`})
    return selected
  }
}
