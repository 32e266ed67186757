import {Flags} from '@oclif/core'
import {join} from 'node:path'

import {BaseCommand} from '../../cli/base-command.js'
import {ProfileStore} from '../../profiles/store.js'
import {profileName} from '../../settings/resolve.js'
import {type InstalledShims, installShims} from '../../shim/install.js'
import {configDir} from '../../storage/open-storage.js'

export default class ShimInstall extends BaseCommand {
  static override description = `Writes small \`az\` and \`azd\` programs that answer token requests from entratool, so tools wired to the Azure CLI (AzureCliCredential, AzureDeveloperCliCredential, Terraform, kubelogin -l azurecli) get entratool's cached tokens.

The az shim answers \`az account get-access-token\` and \`az account show\`; the azd shim answers \`azd auth token\`. Every other command goes, unchanged, to the real az or azd later on PATH. The profile is the one given here, else $ENTRATOOL_PROFILE, else one whose tenant matches --tenant, else the default profile. stdout is the PATH line to add.`

  static override examples = [
    {command: '<%= config.bin %> shim install', description: 'Install into entratool\'s data directory, for the default profile'},
    {command: 'eval "$(<%= config.bin %> shim install -p ci)"', description: 'Answer with profile ci, and put the shims first on PATH in this shell'},
  ]

  static override flags = {
    dir: Flags.string({description: 'Directory for the shims (default: "shims" in entratool\'s data directory).', helpValue: '<dir>'}),
    profile: Flags.string({char: 'p', description: 'Profile the shims answer with (default: $ENTRATOOL_PROFILE, a profile whose tenant matches --tenant, the default profile).', helpValue: '<name>'}),
  }

  async run(): Promise<InstalledShims> {
    const {flags} = await this.parse(ShimInstall)
    const {env} = this.io
    if (flags.profile) await new ProfileStore(configDir(this.config, env)).get(profileName(flags.profile, {}, undefined))
    const result = await installShims(flags.dir ?? join(this.config.dataDir, 'shims'), flags.profile, env)
    this.ui.success(`Installed az and azd shims in ${result.dir}${flags.profile ? ` (profile '${flags.profile}')` : ''}`)
    for (const tool of ['az', 'azd'] as const) {
      this.ui.status(result.real[tool] ? `Other ${tool} commands go to ${result.real[tool]}` : `No real ${tool} on PATH: other ${tool} commands will exit 127`)
    }

    if (!result.active) this.ui.instruct(`→ put the shims first on PATH (add this line to your shell's profile): ${result.pathLine}`)
    await this.render({text: `${result.pathLine}\n`})
    return result
  }
}
