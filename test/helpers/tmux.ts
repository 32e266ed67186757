import {execFileSync, spawnSync} from 'node:child_process'
import {setTimeout as sleep} from 'node:timers/promises'

/**
 * Ends a private tmux server (`-L socket`) whose one pane runs a shell, and resolves only once that
 * shell has exited. `tmux kill-server` returns before the shell has gone, and an interactive bash
 * writes ~/.bash_history (in the test's sandbox) as it exits: a cleanup right after raced it. So the
 * shell is asked to exit, and the server, which ends with its last pane, is awaited.
 */
export async function endTmuxShell(socket: string, target: string, timeoutMs = 10_000): Promise<void> {
  const tmux = (...args: string[]) => spawnSync('tmux', ['-L', socket, ...args], {stdio: 'ignore'})
  if (tmux('has-session', '-t', target).status !== 0) return
  tmux('send-keys', '-t', target, 'C-c')
  tmux('send-keys', '-t', target, '-l', 'exit')
  tmux('send-keys', '-t', target, 'Enter')
  const end = Date.now() + timeoutMs
  while (tmux('has-session', '-t', target).status === 0) {
    if (Date.now() > end) {
      execFileSync('tmux', ['-L', socket, 'kill-server'], {stdio: 'ignore'})
      throw new Error(`the shell in tmux ${socket}:${target} did not exit within ${timeoutMs} ms`)
    }

    await sleep(50)
  }
}
