import {readFileSync} from 'node:fs'

/** What display detection looks at; a pure input so every combination can be table-tested. */
export interface DisplayEnvironment {
  env: NodeJS.ProcessEnv
  platform: NodeJS.Platform
  /** Contents of /proc/version, or undefined when unreadable (not Linux, sandboxed). */
  procVersion(): string | undefined
}

export function systemDisplayEnvironment(env: NodeJS.ProcessEnv): DisplayEnvironment {
  return {env, platform: process.platform, procVersion: readProcVersion}
}

function readProcVersion(): string | undefined {
  try {
    return readFileSync('/proc/version', 'utf8')
  } catch {
    return undefined
  }
}

export function isWsl({env, platform, procVersion}: DisplayEnvironment): boolean {
  if (platform !== 'linux') return false
  return Boolean(env.WSL_DISTRO_NAME) || /microsoft/i.test(procVersion() ?? '')
}

/**
 * True when no local browser can be shown: an SSH session without X11/Wayland forwarding, or a
 * Linux desktop-less machine (WSL excepted: it opens the Windows browser). A BROWSER the person
 * set explicitly wins, as it does for gh and xdg-open.
 */
export function isHeadless(environment: DisplayEnvironment): boolean {
  const {env, platform} = environment
  if (env.BROWSER) return false
  const hasDisplay = Boolean(env.DISPLAY || env.WAYLAND_DISPLAY)
  if ((env.SSH_CONNECTION || env.SSH_CLIENT || env.SSH_TTY) && !hasDisplay) return true
  return platform === 'linux' && !hasDisplay && !isWsl(environment)
}
