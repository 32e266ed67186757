import {Errors, type Hook, toConfiguredId} from '@oclif/core'

import {EXIT_CODES} from '../errors.js'
import {closest} from '../lib/closest.js'
import {Ui} from '../ui/ui.js'

/**
 * An unknown command is a usage error (exit 2) and reads like every other error: `Error: …` and
 * `→ …` on stderr, unwrapped, no oclif ` ›` prefix. On a terminal, when a command is near enough
 * to be the one meant, it asks "Did you mean …?" and runs it when confirmed (as git's
 * help.autocorrect=prompt does); without a terminal it never asks, so a script cannot hang on it.
 */
const hook: Hook<'command_not_found'> = async function ({argv, config, id}) {
  const visible = config.commands.filter((c) => !c.hidden).flatMap((c) => [c.id, ...c.aliases])
  const suggestion = closest(id, visible)
  const typed = toConfiguredId(id, config)
  const meant = suggestion ? `${config.bin} ${toConfiguredId(suggestion, config)}` : undefined
  const ui = new Ui({debug: false, silent: false})

  if (suggestion && process.stdin.isTTY && process.stderr.isTTY) {
    const {confirm} = await import('@inquirer/prompts')
    let run: boolean
    try {
      run = await confirm({default: true, message: `'${typed}' is not an ${config.bin} command. Did you mean \`${meant}\`?`}, {output: process.stderr})
    } catch (error) {
      if ((error as Error).name !== 'ExitPromptError') throw error
      ui.error('Cancelled.')
      throw new Errors.ExitError(EXIT_CODES.interrupted)
    }

    if (run) return config.runCommand(suggestion, argv ?? [])
  }

  ui.error(`Error: '${typed}' is not an ${config.bin} command.${meant ? ` Did you mean \`${meant}\`?` : ''}`)
  ui.instruct(`→ run \`${config.bin} help\` for a list of commands`)
  // Already reported: oclif's handler prints nothing for an ExitError and exits with its code.
  throw new Errors.ExitError(EXIT_CODES.usage)
}

export default hook
