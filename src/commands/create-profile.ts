import {Flags} from '@oclif/core'

import {BaseCommand} from '../cli/base-command.js'
import {fieldsFromFlags, profileFieldFlags, withWorkloadIdentity} from '../cli/profile-flags.js'
import {readSecretFromStdin} from '../cli/secret-stdin.js'
import {usageError} from '../errors.js'
import type {FlowOption} from '../flows/contract.js'
import {ProfileService, type SecretsInput} from '../profiles/profile-service.js'
import {promptMissing} from '../profiles/prompt-profile.js'

export default class CreateProfile extends BaseCommand {
  static override description = `Creates a profile: tenant, client id, default flow and scopes, and optionally a client secret, certificate or federated token file.

On a terminal it asks for what the flags did not give (the cloud, and the flow from those installed), checking each answer as it is typed; with --no-prompt, or when stdin is not a terminal, it fails with exit 2 naming each missing flag. Secrets are read from stdin and kept in secure storage, never in profiles.json.`

  static override examples = [
    {command: '<%= config.bin %> create-profile --name interactive-app', description: 'Asks for the rest on a terminal'},
    {command: '<%= config.bin %> create-profile --name work --tenant-id contoso.onmicrosoft.com --client-id 00000000-0000-0000-0000-000000000001 --flow interactive --scope https://graph.microsoft.com/User.Read', description: 'A delegated profile'},
    {command: 'printf %s "$SECRET" | <%= config.bin %> create-profile --name ci --tenant-id $TENANT --client-id $APP --flow client-credentials --scope api://my-api/.default --client-secret-stdin', description: 'An app profile with a secret from stdin'},
  ]

  static override flags = {
    ...profileFieldFlags,
    force: Flags.boolean({description: 'Replace a profile of the same name.'}),
    name: Flags.string({aliases: ['profile'], char: 'p', description: 'Profile name: 1-64 letters, digits, ".", "_" or "-".', helpValue: '<name>'}),
    prompt: Flags.boolean({allowNo: true, default: true, description: 'Ask for missing values on a terminal (--no-prompt fails instead).'}),
  }

  /** The options the installed flows declare; their flags join `flags` when the command starts (hooks/init-flow-options.ts). */
  static flowOptions: readonly FlowOption[] = []

  async run(): Promise<void> {
    const {flags} = await this.parse(CreateProfile)
    if (flags['client-secret-stdin'] && flags['certificate-password-stdin'] && !this.io.stdin.isTTY) {
      throw usageError('stdin can carry only one secret: use --client-secret-stdin or --certificate-password-stdin, not both')
    }

    let name = flags.name
    const options = CreateProfile.flowOptions
    let fields = withWorkloadIdentity(fieldsFromFlags(flags, options), this.io.env)
    const service = new ProfileService(this.config, this.io.env, this.ui)
    const interactive = flags.prompt && this.canPrompt
    let prompted: SecretsInput = {}
    if (interactive) {
      const context = {
        existing: Object.keys(service.store.read().profiles),
        flows: await service.installedFlows(),
        force: flags.force,
        // A credential file (a certificate, a federated token) stands in for the secret prompt.
        hasCredential: Boolean(flags['client-secret-stdin'] || options.some((o) => o.type === 'path' && fields.options?.[o.name] !== undefined)),
      }
      ;({fields, name, secrets: prompted} = await promptMissing(name, fields, context))
    }

    const missing = [name ? '' : '--name', fields.tenantId ? '' : '--tenant-id', fields.clientId ? '' : '--client-id'].filter(Boolean)
    if (missing.length > 0) {
      throw usageError(`missing ${missing.join(', ')}`, {next: interactive ? undefined : 'pass them as flags (prompts need a terminal and no --no-prompt)'})
    }

    const secrets = {
      certificatePassword: flags['certificate-password-stdin'] ? await readSecretFromStdin('Certificate password', this.io.stdin) : undefined,
      clientSecret: flags['client-secret-stdin'] ? await readSecretFromStdin('Client secret', this.io.stdin) : prompted.clientSecret,
    }
    const profile = await service.create(name!, fields, secrets, {force: flags.force, makeDefault: flags.default})
    this.ui.success(`Profile '${profile.name}' created in ${service.store.file}`)
  }
}
