import type {Interfaces} from '@oclif/core'

import type {Ui} from '../ui/ui.js'

/**
 * What the token path uses of oclif's Config: its hooks (flows, the storage backend) and its
 * directories. Before oclif loads, the build's own plugins answer instead (built-in-hooks.ts).
 */
export type HookHost = Pick<Interfaces.Config, 'configDir' | 'dataDir' | 'name' | 'runHook'>

/** What the token service and the flow runner are given by the command that runs them. */
export interface ServiceDeps {
  config: HookHost
  env: NodeJS.ProcessEnv
  ui: Ui
  signal: AbortSignal
}
