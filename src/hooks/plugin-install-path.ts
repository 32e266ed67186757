import type {Hook} from '@oclif/core'
import {existsSync} from 'node:fs'
import {resolve} from 'node:path'

const INSTALL = new Set(['plugins:add', 'plugins:install'])

/**
 * `entratool plugins install ./flow-x-1.0.0.tgz` should work as `npm install` does. plugin-plugins
 * reads a bare path as a GitHub slug, and only `file:` URLs as local packages: rewrite an existing
 * tarball or a path-looking argument to `file:<absolute path>` before the command parses it.
 */
const hook: Hook<'init'> = async function ({argv, id}) {
  if (!id || !INSTALL.has(id)) return
  for (const [i, arg] of argv.entries()) {
    if (arg.startsWith('-') || arg.includes(':')) continue
    const looksLikePath = /\.(tgz|tar\.gz|tar)$/.test(arg) || arg.startsWith('.') || arg.startsWith('/') || arg.startsWith('~')
    if (looksLikePath && existsSync(arg)) argv[i] = `file:${resolve(arg)}`
  }
}

export default hook
