import {Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {convertKubeconfig, type ConvertResult} from '../../kubeconfig/convert-service.js'
import {configDir} from '../../storage/open-storage.js'

export default class KubeconfigConvert extends BaseCommand {
  static override description = `Rewrites kubelogin exec entries (\`kubelogin get-token --login … --server-id …\`) into \`entratool get-token --profile <p> -o exec-credential\`, so kubectl reuses entratool's cached token instead of signing in on every call.

One profile per distinct identity is created (or an existing one with the same identity reused), with the scope <server-id>/.default. Login modes: devicecode → device-code, interactive → interactive, spn → client-credentials (the secret from AZURE_CLIENT_SECRET or stored later, never in the file), msi → managed-identity, workloadidentity → client-credentials with the federated token file, azurecli → interactive as the Azure CLI's client (or the profile given with -p). The original file is copied beside it first; entries it does not understand are left as they are and reported. --dry-run prints the diff on stdout and changes nothing.`

  static override examples = [
    {command: '<%= config.bin %> kubeconfig convert --dry-run', description: 'Show what would change in ~/.kube/config (or $KUBECONFIG)'},
    {command: '<%= config.bin %> kubeconfig convert --kubeconfig ./aks.yaml --context aks-dev', description: 'Convert the user of one context in another file'},
    {command: '<%= config.bin %> kubeconfig convert --kubeconfig ./aks.yaml -p work', description: 'Use profile work for every kubelogin entry'},
  ]

  static override flags = {
    context: Flags.string({description: 'Convert only the user of this context.', helpValue: '<name>'}),
    'dry-run': Flags.boolean({description: 'Print the diff on stdout; change nothing.'}),
    kubeconfig: Flags.string({description: 'The kubeconfig file (default: the first file in $KUBECONFIG, else ~/.kube/config).', helpValue: '<file>'}),
    profile: Flags.string({char: 'p', description: 'An existing profile to use for every entry, instead of one per identity.', helpValue: '<name>'}),
  }

  async run(): Promise<ConvertResult> {
    const {flags} = await this.parse(KubeconfigConvert)
    const {env} = this.io
    const result = await convertKubeconfig({configDir: configDir(this.config, env), context: flags.context, dryRun: flags['dry-run'], env, file: flags.kubeconfig, profile: flags.profile})
    const ui = this.ui
    const would = flags['dry-run'] ? 'would use' : 'uses'
    for (const c of result.converted) {
      ui.success(`${c.user}: kubelogin -l ${c.login} → entratool, ${would} profile '${c.profile}'${c.created ? (flags['dry-run'] ? ' (to be created)' : ' (created)') : ''}`)
      for (const note of c.notes) ui.status(`  ${note}`)
    }

    for (const s of result.skipped) ui.warn(`${s.user}: left unchanged: ${s.reason}`)
    if (result.converted.length === 0) ui.status(`No kubelogin entries to convert in ${result.file}`)
    if (flags['dry-run']) {
      await this.render({text: result.diff})
      return result
    }

    if (result.backup) ui.status(`Backup of the original: ${result.backup}`)
    const signIn = [...new Set(result.converted.filter((c) => c.delegated).map((c) => c.profile))]
    for (const name of signIn) ui.instruct(`→ sign in once in a terminal: entratool get-token --profile ${name}`)
    return result
  }
}
