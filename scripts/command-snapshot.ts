/**
 * The command surface scripts depend on, reviewed as a file (command-snapshot.json), as
 * salesforcecli's command-snapshot does: every command with its aliases, arguments and flags (type,
 * short name, aliases, choices, defaults, what excludes what), and the exit-code table. Wording is
 * left out: help text may change freely, a flag or an exit code may not change unnoticed.
 *
 *   npm run snapshot:update     rebuilds, then rewrites command-snapshot.json
 *
 * test/unit/command-snapshot.test.ts fails while the file and the built manifest disagree.
 */
import {readFileSync, writeFileSync} from 'node:fs'
import {join, resolve} from 'node:path'

import {EXIT_CODES} from '../src/errors.js'

export const ROOT = resolve(import.meta.dirname, '..')
export const SNAPSHOT_FILE = join(ROOT, 'command-snapshot.json')

type Json = Record<string, unknown>

/** The parts of a flag a script can depend on, without help text. */
const FLAG_KEYS = ['type', 'char', 'aliases', 'charAliases', 'multiple', 'required', 'options', 'default', 'allowNo', 'exclusive', 'exactlyOne', 'dependsOn', 'relationships', 'hidden', 'deprecated', 'deprecateAliases'] as const

function pick(source: Json, keys: readonly string[]): Json {
  const picked: Json = {}
  for (const key of keys) {
    const value = source[key]
    if (value === undefined || value === false || (Array.isArray(value) && value.length === 0)) continue
    picked[key] = value
  }

  return picked
}

const sorted = <T>(entries: Record<string, T>): Record<string, T> => Object.fromEntries(Object.entries(entries).sort(([a], [b]) => a.localeCompare(b)))

/** The surface as built: oclif.manifest.json (npm run build) plus the exit codes. */
export function commandSurface(): Json {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as {commands: Record<string, Json>}
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {oclif: {exitCodes?: Json}}
  const commands = Object.fromEntries(
    Object.entries(manifest.commands).map(([id, command]) => {
      const flags = sorted(Object.fromEntries(Object.entries(command.flags as Record<string, Json>).map(([name, flag]) => [name, pick(flag, FLAG_KEYS)])))
      const args = Object.values(command.args as Record<string, Json>).map((arg) => ({name: arg.name, ...pick(arg, ['required', 'options', 'default', 'multiple'])}))
      return [id, {...pick(command, ['aliases', 'hidden', 'state', 'strict']), ...(args.length > 0 ? {args} : {}), flags}]
    }),
  )
  return {commands: sorted(commands), exitCodes: sorted(EXIT_CODES), oclifExitCodes: sorted(pkg.oclif.exitCodes ?? {})}
}

export const render = (surface: Json) => `${JSON.stringify(surface, null, 2)}\n`

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  writeFileSync(SNAPSHOT_FILE, render(commandSurface()))
  console.log(`wrote ${SNAPSHOT_FILE}: review its diff, then commit it with the change`)
}
