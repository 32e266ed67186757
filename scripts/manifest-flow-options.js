/**
 * Folds the options the bundled flows declare into oclif.manifest.json, after `oclif manifest`:
 * the manifest then holds the whole flag surface of create-profile and edit-profile as this build
 * ships it (help, completion and the reviewed manifest show them without loading a plugin). Flows
 * installed later add theirs at run time (src/hooks/init-flow-options.ts). User-installed plugins
 * of the machine that builds are left out.
 */
import {Config} from '@oclif/core'
import {readFileSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const {declaredOptions, discoverFlows} = await import('../dist/flows/registry.js')
const {cachedOptionFlags, withOptionFlags} = await import('../dist/settings/option-flags.js')
const {COMMANDS_WITH_OPTIONS} = await import('../dist/hooks/init-flow-options.js')

const config = await Config.load({devPlugins: false, root, userPlugins: false})
const catalog = await discoverFlows(config)
if (catalog.problems.length > 0) throw new Error(`bundled flows: ${catalog.problems.map((p) => `${p.plugin}: ${p.problem}`).join('; ')}`)
const flags = cachedOptionFlags(declaredOptions(catalog))
const file = join(root, 'oclif.manifest.json')
const manifest = JSON.parse(readFileSync(file, 'utf8'))
for (const id of COMMANDS_WITH_OPTIONS) {
  const command = manifest.commands[id]
  if (!command) throw new Error(`oclif.manifest.json has no command ${id}`)
  command.flags = withOptionFlags(command.flags, flags)
  // Filled when the command starts; nothing for the manifest to hold.
  delete command.flowOptions
}

writeFileSync(file, JSON.stringify(manifest, null, 2))
console.log(`folded ${Object.keys(flags).length} flow option flags into ${COMMANDS_WITH_OPTIONS.join(', ')}`)
