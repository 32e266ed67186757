#!/usr/bin/env node
// `npm run bench` (after `npm run build`): runs bench/bench.ts under tsx, since the benchmark starts
// the TypeScript Entra ID emulator in its own process. Exits with the benchmark's status.
import {spawn} from 'node:child_process'
import {constants} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'bench', 'bench.ts'), ...process.argv.slice(2)], {cwd: root, stdio: 'inherit'})
child.on('error', (error) => {
  console.error(`bench: cannot start node: ${error.message}`)
  process.exit(1)
})
child.on('exit', (code, signal) => process.exit(code ?? 128 + (constants.signals[signal] ?? 0)))
