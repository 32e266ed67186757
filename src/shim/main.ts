/**
 * Entry point of the `az` / `azd` shims (`entratool shim install` writes scripts that run
 * `node main.js <tool> <shim dir> <profile> <args…>`).
 */
import module from 'node:module'

import {runShim} from './run-shim.js'

// Caches compiled code between runs (Node >= 22.1): a shim is started before every SDK request.
(module as {enableCompileCache?: () => void}).enableCompileCache?.()

const [tool, shimDir, profile, ...args] = process.argv.slice(2)
if ((tool !== 'az' && tool !== 'azd') || shimDir === undefined || profile === undefined) {
  process.stderr.write('entratool shim: run `entratool shim install` again (this shim was written by another version)\n')
  process.exit(2)
}

await runShim(tool, shimDir, profile, args, process.env)
