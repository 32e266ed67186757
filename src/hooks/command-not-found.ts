import {Errors, type Hook, toConfiguredId} from '@oclif/core'

import {EXIT_CODES} from '../errors.js'
import {closest} from '../lib/closest.js'

/**
 * An unknown command is a usage error (exit 2). On a terminal, @oclif/plugin-not-found asks "Did
 * you mean …?" and runs the suggestion when confirmed; it exits 127 otherwise, and without a
 * terminal it only warns, so scripts and CI get one sentence with the suggestion and exit 2 here.
 */
const hook: Hook<'command_not_found'> = async function (options) {
  const {config, id} = options
  if (process.stdin.isTTY && process.stderr.isTTY) {
    const {default: notFound} = await import('@oclif/plugin-not-found')
    try {
      return await notFound.call(this, options)
    } catch (error) {
      if (error instanceof Errors.CLIError && error.oclif.exit === 127) throw new Errors.CLIError(error.message, {exit: EXIT_CODES.usage})
      throw error
    }
  }

  const visible = config.commands.filter((c) => !c.hidden).flatMap((c) => [c.id, ...c.aliases])
  const suggestion = closest(id, visible)
  const typed = toConfiguredId(id, config)
  const hint = suggestion ? ` Did you mean \`${config.bin} ${toConfiguredId(suggestion, config)}\`?` : ''
  throw new Errors.CLIError(`'${typed}' is not an ${config.bin} command.${hint} Run \`${config.bin} help\` for a list of commands.`, {exit: EXIT_CODES.usage})
}

export default hook
