import {Flags} from '@oclif/core'

import {BaseCommand} from '../lib/base-command.js'
import {exportPassphrase} from '../lib/passphrase.js'
import {ProfileService} from '../profiles/profile-service.js'
import {ProfileTransfer, readExportInput} from '../profiles/transfer-service.js'

export default class ImportProfile extends BaseCommand {
  static description = `Imports profiles written by export-profile, from --file or stdin.

An encrypted export needs its passphrase (ENTRATOOL_EXPORT_PASSPHRASE, or asked on the terminal when the export comes from --file); a wrong passphrase or a modified file is refused. Everything is checked before anything changes, and an existing profile is replaced only with --overwrite.`

  static examples = [
    {command: '<%= config.bin %> import-profile --file profiles.json', description: 'Import every profile in the file'},
    {command: '<%= config.bin %> import-profile --file ci.json --name ci-staging', description: 'Import a single profile under another name'},
    {command: '<%= config.bin %> import-profile --file profiles.json --overwrite --dry-run', description: 'See what would change'},
  ]

  static flags = {
    'dry-run': Flags.boolean({description: 'Check the export and show what would change, without changing anything.'}),
    file: Flags.string({description: 'The export to read (default: stdin).', helpValue: '<path>'}),
    name: Flags.string({aliases: ['profile'], char: 'p', description: 'Import the export\'s single profile under this name.', helpValue: '<name>'}),
    overwrite: Flags.boolean({description: 'Replace existing profiles of the same name (their cached tokens and stored secrets go too).'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(ImportProfile)
    const text = await readExportInput(flags.file)
    const transfer = new ProfileTransfer(new ProfileService(this.config, process.env, this.ui))
    const items = await transfer.import(text, {
      dryRun: flags['dry-run'],
      overwrite: flags.overwrite,
      passphrase: () => exportPassphrase(process.env, {creating: false}),
      rename: flags.name,
    })
    for (const item of items) {
      const secrets = item.secrets.length > 0 ? ` with its ${item.secrets.join(' and ')}` : ''
      const action = !item.replaces ? `create profile '${item.name}'` : item.replaces === item.name ? `replace profile '${item.name}'` : `replace profile '${item.replaces}' with '${item.name}'`
      if (flags['dry-run']) this.ui.status(`Would ${action}${secrets}`)
      else this.ui.success(`${item.replaces ? 'Replaced' : 'Imported'} profile '${item.name}'${secrets}`)
      for (const file of item.missingFiles) this.ui.warn(`profile '${item.name}' points at ${file}, which does not exist on this machine`)
    }

    if (flags['dry-run']) this.ui.status('Dry run: nothing was changed')
  }
}
