import {Flags} from '@oclif/core'

import {BaseCommand} from '../cli/base-command.js'
import {exportPassphrase} from '../cli/passphrase.js'
import {ProfileService} from '../profiles/profile-service.js'
import {consentToImport, type ImportItem, ProfileTransfer, readExportInput} from '../profiles/transfer-service.js'
import {isMicrosoftCloudHost} from '../profiles/validate.js'

export default class ImportProfile extends BaseCommand {
  static override description = `Imports profiles written by export-profile, from --file or stdin.

An encrypted export needs its passphrase (ENTRATOOL_EXPORT_PASSPHRASE, or asked on the terminal when the export comes from --file); a wrong passphrase or a modified file is refused. Everything is checked before anything changes, and an existing profile is replaced only with --overwrite.

Each profile's real authority host and every file it references are shown first. A profile whose host is not a Microsoft cloud, or that references a file (its token requests carry your client secret or that file's content), is imported only when you agree on the terminal, or with --yes.`

  static override examples = [
    {command: '<%= config.bin %> import-profile --file profiles.json', description: 'Import every profile in the file'},
    {command: '<%= config.bin %> import-profile --file ci.json --name ci-staging', description: 'Import a single profile under another name'},
    {command: '<%= config.bin %> import-profile --file profiles.json --overwrite --dry-run', description: 'See what would change'},
    {command: '<%= config.bin %> import-profile --file team.json --yes', description: 'In a script: agree to hosts and files you have checked'},
  ]

  static override flags = {
    'dry-run': Flags.boolean({description: 'Check the export and show what would change, without changing anything.'}),
    file: Flags.string({description: 'The export to read (default: stdin).', helpValue: '<path>'}),
    name: Flags.string({aliases: ['profile'], char: 'p', description: 'Import the export\'s single profile under this name.', helpValue: '<name>'}),
    overwrite: Flags.boolean({description: 'Replace existing profiles of the same name (their cached tokens and stored secrets go too).'}),
    yes: Flags.boolean({char: 'y', description: 'Import profiles with a non-Microsoft authority host or file references without asking.'}),
  }

  /** What was imported, or with --dry-run what would be. */
  async run(): Promise<ImportItem[]> {
    const {flags} = await this.parse(ImportProfile)
    const text = await readExportInput(flags.file, this.io.stdin)
    const transfer = new ProfileTransfer(new ProfileService(this.config, this.io.env, this.ui))
    const items = await transfer.import(text, {
      consent: async (review) => {
        this.showReview(review)
        await consentToImport(review, flags.yes)
      },
      dryRun: flags['dry-run'],
      overwrite: flags.overwrite,
      passphrase: () => exportPassphrase(this.io.env, {creating: false}),
      rename: flags.name,
    })
    if (flags['dry-run']) this.showReview(items)
    for (const item of items) {
      const secrets = item.secrets.length > 0 ? ` with its ${item.secrets.join(' and ')}` : ''
      const action = !item.replaces ? `create profile '${item.name}'` : item.replaces === item.name ? `replace profile '${item.name}'` : `replace profile '${item.replaces}' with '${item.name}'`
      if (flags['dry-run']) this.ui.status(`Would ${action}${secrets}`)
      else this.ui.success(`${item.replaces ? 'Replaced' : 'Imported'} profile '${item.name}'${secrets}`)
      for (const file of item.missingFiles) this.ui.warn(`profile '${item.name}' points at ${file}, which does not exist on this machine`)
    }

    if (flags['dry-run']) this.ui.status('Dry run: nothing was changed')
    return items
  }

  /** What each profile would make entratool contact and read, as the URL and paths really are. */
  private showReview(items: ImportItem[]): void {
    for (const item of items) {
      this.ui.instruct(`Profile '${item.name}': tokens from ${item.authorityHost}${isMicrosoftCloudHost(item.authorityHost) ? ' (Microsoft cloud)' : ' (NOT a Microsoft cloud)'}`)
      for (const file of item.files) this.ui.instruct(`  reads ${file}`)
    }
  }
}
