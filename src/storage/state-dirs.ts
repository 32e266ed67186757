import {existsSync} from 'node:fs'
import {homedir} from 'node:os'
import {join} from 'node:path'

/** Where entratool keeps its state: config (profiles, storage, caches) and data (user-installed plugins). */
export interface StateDirs {
  config: string
  data: string
}

/**
 * The one rule for entratool's directories, on both paths: ENTRATOOL_CONFIG_DIR / ENTRATOOL_DATA_DIR,
 * else oclif's own locations. With oclif loaded its answer is taken (it knows Windows' folders);
 * before oclif loads the same XDG rule is applied here, and on Windows, where it is not, the
 * answer is undefined (the caller then lets oclif run).
 */
export function stateDirs(env: NodeJS.ProcessEnv, oclif?: {configDir: string; dataDir: string}): StateDirs | undefined {
  if (oclif) return {config: env.ENTRATOOL_CONFIG_DIR || oclif.configDir, data: env.ENTRATOOL_DATA_DIR || oclif.dataDir}
  if (process.platform === 'win32' && !env.ENTRATOOL_CONFIG_DIR) return undefined
  const home = env.HOME || homedir()
  return {
    config: env.ENTRATOOL_CONFIG_DIR || join(env.XDG_CONFIG_HOME || join(home, '.config'), 'entratool'),
    data: env.ENTRATOOL_DATA_DIR || join(env.XDG_DATA_HOME || join(home, '.local', 'share'), 'entratool'),
  }
}

/**
 * Whether the user installed or linked plugins (oclif keeps them in the data dir's package.json):
 * such a plugin may answer the credential-provider hook or add a flow, and only oclif knows it.
 */
export function userPluginsInstalled(dirs: StateDirs): boolean {
  return existsSync(join(dirs.data, 'package.json'))
}
