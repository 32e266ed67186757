import {Flags} from '@oclif/core'

import {BaseCommand} from '../cli/base-command.js'
import {exportPassphrase} from '../cli/passphrase.js'
import {ProfileService} from '../profiles/profile-service.js'
import {type ExportResult, ProfileTransfer, writeExportFile} from '../profiles/transfer-service.js'

export default class ExportProfile extends BaseCommand {
  static override description = `Exports profiles as JSON, to move them to another machine.

Never includes cached tokens or the signed-in account. Client secrets and PFX passwords are included only with --include-secrets, and then the whole export is encrypted (scrypt + AES-256-GCM) with a passphrase from ENTRATOOL_EXPORT_PASSPHRASE or asked on the terminal. Certificate and token files are referenced by path, not copied.`

  static override examples = [
    {command: '<%= config.bin %> export-profile --name ci --file ci.json', description: 'One profile, without secrets'},
    {command: 'ENTRATOOL_EXPORT_PASSPHRASE=… <%= config.bin %> export-profile --all --include-secrets --file profiles.json', description: 'Every profile with its secrets, encrypted'},
    {command: '<%= config.bin %> export-profile --all | ssh build-host entratool import-profile', description: 'Copy profiles (without secrets) to another host'},
  ]

  static override flags = {
    all: Flags.boolean({description: 'Export every profile.', exactlyOne: ['all', 'name']}),
    file: Flags.string({description: 'Write the export to this file (mode 0600) instead of stdout.', helpValue: '<path>'}),
    force: Flags.boolean({dependsOn: ['file'], description: 'Replace an existing --file.'}),
    'include-secrets': Flags.boolean({description: 'Include stored client secrets and PFX passwords, encrypting the export with a passphrase.'}),
    name: Flags.string({aliases: ['profile'], char: 'p', description: 'The profile to export.', exactlyOne: ['all', 'name'], helpValue: '<name>'}),
  }

  async run(): Promise<ExportResult> {
    const {flags} = await this.parse(ExportProfile)
    const transfer = new ProfileTransfer(new ProfileService(this.config, this.io.env, this.ui))
    const result = await transfer.export({
      includeSecrets: flags['include-secrets'],
      names: flags.name === undefined ? undefined : [flags.name],
      passphrase: () => exportPassphrase(this.io.env, {creating: true}),
    })
    for (const name of result.secretsLeftOut) this.ui.warn(`the stored secrets of profile '${name}' are not exported; add --include-secrets to carry them, encrypted`)
    if (flags.file === undefined) await this.render({text: result.document})
    else await writeExportFile(flags.file, result.document, flags.force)
    const what = result.profiles.length === 1 ? `profile '${result.profiles[0]}'` : `${result.profiles.length} profiles`
    this.ui.success(`Exported ${what}${flags['include-secrets'] ? ' with secrets, encrypted' : ''}${flags.file === undefined ? '' : ` to ${flags.file}`}`)
    return result
  }
}
