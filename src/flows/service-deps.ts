import type {Interfaces} from '@oclif/core'

import type {Ui} from '../ui/ui.js'

/** What the token service and the flow runner are given by the command that runs them. */
export interface ServiceDeps {
  config: Interfaces.Config
  env: NodeJS.ProcessEnv
  ui: Ui
  signal: AbortSignal
}
