import {Flags} from '@oclif/core'

import {BaseCommand} from '../cli/base-command.js'
import {configDir} from '../storage/open-storage.js'
import {rekey, type RekeyResult} from '../storage/rekey.js'

export default class Rekey extends BaseCommand {
  static override description = `Re-encrypts the stored secrets and cached tokens under the current key.

The current key: a key derived from ENTRATOOL_CACHE_PASSPHRASE when it is set, else the key file (or the OS keychain's key). The key they were written with: ENTRATOOL_OLD_CACHE_PASSPHRASE when set, else the key file. Run it after setting, changing or unsetting ENTRATOOL_CACHE_PASSPHRASE, as the error that stops other commands says.`

  static override examples = [
    {command: 'ENTRATOOL_CACHE_PASSPHRASE=… <%= config.bin %> rekey', description: 'Move from the key file to a passphrase'},
    {command: 'ENTRATOOL_OLD_CACHE_PASSPHRASE=… ENTRATOOL_CACHE_PASSPHRASE=… <%= config.bin %> rekey', description: 'Change the passphrase'},
    {command: '<%= config.bin %> rekey --discard', description: 'The old key is lost: remove what cannot be opened'},
  ]

  static override flags = {
    discard: Flags.boolean({description: 'Remove stored secrets and cached tokens that neither key opens (they must be entered again).'}),
  }

  async run(): Promise<RekeyResult> {
    const {flags} = await this.parse(Rekey)
    const result = await rekey(configDir(this.config, this.io.env), this.io.env, {discard: flags.discard})
    for (const name of result.removed) {
      const [profile, purpose] = name.split('/')
      if (purpose) this.ui.warn(`the ${purpose.replace('-', ' ')} of profile '${profile}' could not be opened and was removed; store it again with \`entratool edit-profile --name ${profile} --${purpose}-stdin\``)
      else this.ui.warn(`${name} could not be opened and was removed`)
    }

    this.ui.success(`Re-encrypted ${result.resealed} file${result.resealed === 1 ? '' : 's'}; the key is now ${result.source === 'passphrase' ? 'derived from ENTRATOOL_CACHE_PASSPHRASE' : result.source === 'keychain' ? 'in the OS keychain' : 'the key file'}`)
    return result
  }
}
