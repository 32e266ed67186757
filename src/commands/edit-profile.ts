import {Flags} from '@oclif/core'

import {BaseCommand} from '../cli/base-command.js'
import {fieldsFromFlags, profileFieldFlags} from '../cli/profile-flags.js'
import {readSecretFromStdin} from '../cli/secret-stdin.js'
import {usageError} from '../errors.js'
import type {FlowOption} from '../flows/contract.js'
import {ProfileService} from '../profiles/profile-service.js'

export default class EditProfile extends BaseCommand {
  static override description = `Changes fields of a profile. Only the flags given change; a new tenant, client id or authority also drops the profile's cached tokens.`

  static override examples = [
    {command: 'printf %s "$NEW_SECRET" | <%= config.bin %> edit-profile --name ci --client-secret-stdin', description: 'Rotate a client secret'},
    {command: '<%= config.bin %> edit-profile --name work --scope https://graph.microsoft.com/Mail.Read --default', description: 'Change scopes and make it the default'},
  ]

  static override flags = {
    ...profileFieldFlags,
    name: Flags.string({aliases: ['profile'], char: 'p', description: 'The profile to change.', helpValue: '<name>', required: true}),
  }

  /** The options the installed flows declare; their flags join `flags` when the command starts (hooks/init-flow-options.ts). */
  static flowOptions: readonly FlowOption[] = []

  async run(): Promise<void> {
    const {flags} = await this.parse(EditProfile)
    if (flags['client-secret-stdin'] && flags['certificate-password-stdin'] && !this.io.stdin.isTTY) {
      throw usageError('stdin can carry only one secret: use --client-secret-stdin or --certificate-password-stdin, not both')
    }

    const fields = fieldsFromFlags(flags, EditProfile.flowOptions)
    const secrets = {
      certificatePassword: flags['certificate-password-stdin'] ? await readSecretFromStdin('Certificate password', this.io.stdin) : undefined,
      clientSecret: flags['client-secret-stdin'] ? await readSecretFromStdin('Client secret', this.io.stdin) : undefined,
    }
    const {options, ...core} = fields
    const changes = Object.values(core).some((v) => v !== undefined) || Object.keys(options ?? {}).length > 0 || secrets.clientSecret !== undefined || secrets.certificatePassword !== undefined || flags.default
    if (!changes) throw usageError('nothing to change', {next: 'pass the fields to change, e.g. --scope or --client-secret-stdin (see --help)'})
    const service = new ProfileService(this.config, this.io.env, this.ui)
    await service.edit(flags.name, fields, secrets, flags.default)
    this.ui.success(`Profile '${flags.name}' updated`)
  }
}
