/**
 * Remote sessions (SSH, GitHub Codespaces, a VS Code remote terminal): a browser on the person's
 * own computer cannot reach this machine's `localhost` unless the port is forwarded. The sign-in
 * then listens on one fixed port, so the forwarding line printed here can be set up once (an
 * `ssh -L` or a `LocalForward` in ~/.ssh/config) and keeps working.
 */
export const REMOTE_PORT = 8400

export type RemoteKind = 'codespaces' | 'ssh' | 'vscode'

export function remoteSession(env: NodeJS.ProcessEnv): RemoteKind | undefined {
  if (env.CODESPACES === 'true' || env.CODESPACE_NAME) return 'codespaces'
  if (env.SSH_CONNECTION || env.SSH_CLIENT || env.SSH_TTY) return 'ssh'
  if (env.VSCODE_IPC_HOOK_CLI) return 'vscode'
  return undefined
}

/** The command that forwards `port` from the person's computer to this machine, as exactly as the environment allows. */
export function forwardingLine(kind: RemoteKind, port: number, env: NodeJS.ProcessEnv): string {
  if (kind === 'codespaces') return `gh codespace ports forward ${port}:${port}${env.CODESPACE_NAME ? ` -c ${env.CODESPACE_NAME}` : ''}`
  if (kind === 'vscode') return `forward port ${port} in VS Code's Ports view (it keeps the number when it is free)`
  // SSH_CONNECTION is "client-ip client-port server-ip server-port".
  const [, , host, sshPort] = (env.SSH_CONNECTION ?? '').split(' ')
  const user = env.USER || env.LOGNAME
  const target = `${user ? `${user}@` : ''}${host ? (host.includes(':') ? `[${host}]` : host) : '<this host>'}`
  return `ssh -L ${port}:localhost:${port}${sshPort && sshPort !== '22' ? ` -p ${sshPort}` : ''} ${target}`
}

export function remoteName(kind: RemoteKind): string {
  return {codespaces: 'a GitHub Codespace', ssh: 'an SSH session', vscode: 'a VS Code remote terminal'}[kind]
}
