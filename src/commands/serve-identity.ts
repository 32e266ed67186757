import {Flags} from '@oclif/core'

import {BaseCommand} from '../cli/base-command.js'
import {type IdentityEnv, IdentityService, isExposed} from '../identity-server/identity-service.js'
import {IDENTITY_FORMATS, type IdentityFormat, identityHints, renderIdentityEnv} from '../identity-server/render.js'
import {durationFlag, portFlag} from '../lib/flags.js'

export default class ServeIdentity extends BaseCommand {
  static override description = `Serves tokens of your profiles to other programs as a local managed-identity endpoint (the App Service protocol every Azure SDK speaks), until Ctrl+C or SIGTERM.

stdout carries IDENTITY_ENDPOINT, IDENTITY_HEADER, MSI_ENDPOINT and MSI_SECRET; give them to the program, and its DefaultAzureCredential or ManagedIdentityCredential gets tokens from your profile. Requests never open a browser: a profile that needs a sign-in answers an error naming the get-token command to run. Each answer writes one audit line to stderr (never the token).`

  static override examples = [
    {command: '<%= config.bin %> serve-identity -p ci > identity.env &', description: 'Serve the ci profile in the background; `. ./identity.env` in the shells that need it'},
    {command: '<%= config.bin %> serve-identity -p ci -p work -o json --allow-resource https://management.azure.com/', description: 'Two profiles (the second chosen by client_id), one resource only'},
    {command: '<%= config.bin %> serve-identity -p ci --bind 172.17.0.1 --port 8701', description: 'For containers on the Docker bridge'},
  ]

  static override flags = {
    'allow-resource': Flags.string({description: 'Serve only this resource (exact URI, as the SDK asks for it); repeatable.', helpValue: '<uri>', multiple: true}),
    bind: Flags.string({default: '127.0.0.1', description: 'Address to listen on; anything but loopback exposes your tokens to that network.', helpValue: '<ip>'}),
    'min-validity': durationFlag({description: 'A token handed out stays valid at least this long (half its lifetime when that is shorter).', default: 5 * 60_000, defaultHelp: async () => '5m'}),
    output: Flags.string({char: 'o', default: 'env', description: 'How to print the endpoint and header on stdout.', options: [...IDENTITY_FORMATS]}),
    port: portFlag({description: 'Port to listen on (default: a free one).'}),
    profile: Flags.string({char: 'p', description: 'Profile to serve; repeatable. The first answers requests without client_id; others are chosen by their client id.', helpValue: '<name>', multiple: true}),
  }

  /** What was served (printed on stdout when serving began), once serving has stopped. */
  async run(): Promise<IdentityEnv> {
    const {flags} = await this.parse(ServeIdentity)
    const ui = this.ui
    const stopped = new Promise<void>((resolve) => {
      this.abort.signal.addEventListener('abort', () => resolve(), {once: true})
      // Every SIGTERM, not once: proper-lockfile's signal-exit re-sends a signal nobody else listens to.
      this.onSignal('SIGTERM', () => this.abort.abort())
    })
    const names = flags.profile ?? []
    const service = new IdentityService({config: this.config, env: this.io.env, signal: this.abort.signal, ui})
    const profiles = await service.resolveProfiles(names)
    if (isExposed(flags.bind)) {
      ui.warn(`listening on ${flags.bind}: any host that can reach it and learns the header gets tokens of ${profiles.map((p) => `'${p.name}'`).join(', ')}; limit it with --allow-resource and a firewall`)
    }

    const running = await service.start(
      {allowResources: flags['allow-resource'], audit: (line) => ui.instruct(line), bind: flags.bind, minValidityMs: flags['min-validity'], port: flags.port ?? 0, profiles: names},
      profiles,
    )
    await this.render({text: renderIdentityEnv(running.env, flags.output as IdentityFormat)})
    for (const line of identityHints(running)) ui.status(line)
    await stopped
    await running.close()
    ui.status('Stopped serving tokens.')
    return running.env
  }
}
