import type {Hook} from '@oclif/core'

import {versionLine} from '../lib/build-info.js'

/**
 * `entratool --version` and `-v` are answered by oclif itself with `config.userAgent`; from a git
 * checkout that line also names the commit (as `entratool version` does). Nothing else is touched.
 */
const hook: Hook<'init'> = async function ({config, id}) {
  if (id !== '--version' && id !== '-v') return
  // oclif types userAgent read-only, but it is a plain field that its version display prints.
  ;(config as {userAgent: string}).userAgent = versionLine(config.userAgent, config.root)
}

export default hook
