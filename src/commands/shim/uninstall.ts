import {Flags} from '@oclif/core'
import {join} from 'node:path'

import {BaseCommand} from '../../cli/base-command.js'
import {type RemovedShims, uninstallShims} from '../../shim/install.js'

export default class ShimUninstall extends BaseCommand {
  static override description = 'Removes the az and azd shims that `shim install` wrote (never a file it did not write).'

  static override examples = [
    {command: '<%= config.bin %> shim uninstall', description: 'Remove the shims from entratool\'s data directory'},
    {command: '<%= config.bin %> shim uninstall --dir ~/bin/entratool-shims', description: 'Remove shims installed with --dir'},
  ]

  static override flags = {
    dir: Flags.string({description: 'Directory the shims were installed in (default: "shims" in entratool\'s data directory).', helpValue: '<dir>'}),
  }

  async run(): Promise<RemovedShims> {
    const {flags} = await this.parse(ShimUninstall)
    const result = await uninstallShims(flags.dir ?? join(this.config.dataDir, 'shims'))
    for (const file of result.kept) this.ui.warn(`Kept ${file}: it is not an entratool shim`)
    if (result.removed.length === 0) this.ui.status(`No entratool shims in ${result.dir}`)
    else this.ui.success(`Removed ${result.removed.join(' and ')}; remove ${result.dir} from PATH in your shell's profile`)
    return result
  }
}
