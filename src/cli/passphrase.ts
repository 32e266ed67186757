import {usageError} from '../errors.js'
import {canPrompt} from '../lib/stdin.js'

const MIN_LENGTH = 8

/**
 * The export passphrase: ENTRATOOL_EXPORT_PASSPHRASE, else asked on the terminal (twice for a new
 * export). Never a flag: arguments show in `ps` and shell history.
 */
export async function exportPassphrase(env: NodeJS.ProcessEnv, options: {creating: boolean}): Promise<string> {
  let value = env.ENTRATOOL_EXPORT_PASSPHRASE
  if (!value) {
    if (!canPrompt()) throw usageError('a passphrase is needed and there is no terminal to ask on', {next: 'set ENTRATOOL_EXPORT_PASSPHRASE'})
    const {password} = await import('@inquirer/prompts')
    const ask = (message: string) => password({mask: '*', message}, {output: process.stderr})
    value = await ask(options.creating ? 'Passphrase to encrypt the export' : 'Passphrase of the export')
    if (options.creating && (await ask('Repeat the passphrase')) !== value) throw usageError('the passphrases do not match')
  }

  if (options.creating && value.length < MIN_LENGTH) throw usageError(`the passphrase must have at least ${MIN_LENGTH} characters`)
  return value
}
