import {Flags} from '@oclif/core'

import {TokenService} from '../flows/token-service.js'
import {BaseCommand} from '../cli/base-command.js'
import {durationFlag, portFlag, portRangeFlag, profileFlag} from '../lib/flags.js'
import {nonInteractiveReason, renderToken, TOKEN_FORMATS, type TokenFormat} from '../lib/render-token.js'
import {claimsFromWwwAuthenticate} from '../settings/claims-challenge.js'
import {decodeClaims} from '../settings/resolve.js'

export default class GetToken extends BaseCommand {
  static description = `Prints an access token for a profile: a cached one when it is still valid for --min-validity, else a refreshed one, else it runs the profile's flow.

stdout carries only the token (or the --output document); every status line goes to stderr, so TOKEN=$(entratool get-token) works.`

  static examples = [
    {command: '<%= config.bin %> get-token --flow interactive', description: 'Sign in with the browser (default profile)'},
    {command: '<%= config.bin %> get-token --flow interactive --profile myapp', description: 'Use a named profile'},
    {command: 'TOKEN=$(<%= config.bin %> get-token -p ci -o json | jq -r .access_token)', description: 'In a script'},
    {command: '<%= config.bin %> get-token -p work --scope https://graph.microsoft.com/User.Read', description: 'Override the scopes'},
    {command: 'eval "$(<%= config.bin %> get-token -p ci -o env)"', description: 'Export ENTRA_ACCESS_TOKEN'},
    {command: '<%= config.bin %> get-token -p work --paste-redirect --force --no-browser', description: 'Over SSH, no listener: open the printed URL anywhere, then paste the address the browser ends on'},
    {command: '<%= config.bin %> get-token -p work --www-authenticate "$HDR"', description: "Meet a resource's claims challenge (CAE, step-up): pass its 401 WWW-Authenticate header"},
  ]

  static flags = {
    authority: Flags.string({description: 'Authority for one-off use: public, usgov, china, a host or a full authority URL.', helpGroup: 'ONE-OFF'}),
    browser: Flags.boolean({allowNo: true, default: true, description: 'Open the browser (interactive flow); --no-browser only prints the URL.'}),
    cae: Flags.boolean({allowNo: true, description: 'Ask for a CAE-capable token (client capability cp1); the profile setting is the default.'}),
    claims: Flags.string({description: 'Claims challenge from a resource (JSON or base64), for MFA step-up or CAE.', exclusive: ['www-authenticate']}),
    'client-id': Flags.string({description: 'Client id for one-off use without a profile.', helpGroup: 'ONE-OFF'}),
    flow: Flags.string({char: 'f', description: 'Flow to run: interactive, device-code, client-credentials, or one a plugin adds (see `entratool flows`).', helpValue: '<flow>'}),
    force: Flags.boolean({description: 'Ignore cached tokens and run the flow again (a new sign-in for delegated flows).'}),
    'login-hint': Flags.string({description: 'Account to sign in with (interactive flow); default: the account the profile last used.', helpValue: '<user>'}),
    'min-validity': durationFlag({description: 'A cached token must stay valid at least this long.', default: 5 * 60_000, defaultHelp: async () => '5m'}),
    output: Flags.string({char: 'o', default: 'token', description: 'What to print on stdout.', options: [...TOKEN_FORMATS]}),
    'paste-redirect': Flags.boolean({allowNo: true, description: 'Interactive flow without a listener: paste the address the browser ends on (SSH, tunnels, consoles).'}),
    port: portFlag({description: 'Loopback port for the interactive flow callback.', exclusive: ['port-range']}),
    'port-range': portRangeFlag({description: 'Use the first free loopback port in this range, e.g. 8000-8100.'}),
    profile: profileFlag,
    prompt: Flags.string({description: 'What the sign-in page asks (interactive flow).', options: ['select_account', 'login', 'consent']}),
    scope: Flags.string({char: 's', description: 'Scope(s) to request; repeatable, space- or comma-separated.', multiple: true}),
    'show-url': Flags.boolean({description: 'Always print the sign-in URL (interactive flow).'}),
    silent: Flags.boolean({char: 'q', description: 'No status lines on stderr (errors and sign-in instructions still show).'}),
    // --tenant-id too, as the profile commands (and az) spell it.
    tenant: Flags.string({aliases: ['tenant-id'], description: 'Tenant for one-off use without a profile. Also --tenant-id.', helpGroup: 'ONE-OFF'}),
    'www-authenticate': Flags.string({description: "A resource's 401 WWW-Authenticate header: get a token that meets its claims challenge (CAE, step-up).", helpValue: '<header>'}),
    timeout: durationFlag({description: 'How long to wait for sign-in (and at most for each request). Default 120s; a device code waits until it expires unless this is set.'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(GetToken)
    const ui = this.configureUi({silent: flags.silent})
    const service = new TokenService({config: this.config, env: process.env, signal: this.abort.signal, ui})
    const outcome = await service.getToken({
      authority: flags.authority,
      canPrompt: Boolean(process.stderr.isTTY),
      cae: flags.cae,
      claims: flags['www-authenticate'] === undefined ? (flags.claims === undefined ? undefined : decodeClaims(flags.claims)) : claimsFromWwwAuthenticate(flags['www-authenticate']),
      clientId: flags['client-id'],
      flow: flags.flow,
      force: flags.force,
      loginHint: flags['login-hint'],
      minValidityMs: flags['min-validity'],
      nonInteractive: nonInteractiveReason(flags.output as TokenFormat, process.env),
      noBrowser: !flags.browser,
      pasteRedirect: flags['paste-redirect'],
      port: flags.port,
      portRange: flags['port-range'],
      profile: flags.profile,
      prompt: flags.prompt as 'consent' | 'login' | 'select_account' | undefined,
      scope: flags.scope,
      showUrl: flags['show-url'],
      tenant: flags.tenant,
      timeoutMs: flags.timeout,
    })
    process.stdout.write(await renderToken(outcome, flags.output as TokenFormat, process.env))
  }
}
