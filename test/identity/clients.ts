/** The client programs not written here (@azure/identity, Debian's azure.identity), run as child processes. */
import {spawn} from 'node:child_process'
import {createRequire} from 'node:module'
import {createServer, type Server} from 'node:net'
import {join} from 'node:path'

const IDENTITY_MODULE = createRequire(import.meta.url).resolve('@azure/identity')
const NODE_CLIENT = join(import.meta.dirname, 'clients', 'node-mi-client.mjs')
const PYTHON_CLIENT = join(import.meta.dirname, 'clients', 'python_mi_client.py')
/** Debian's python3-azure, never the pyenv python3 on PATH. */
export const PYTHON = '/usr/bin/python3'

export interface ClientResult {
  code: number | null
  out: {tokens?: string[]; calls?: number; error?: string; message?: string}
  stderr: string
}

/** Runs a client program and parses the one JSON line it prints. */
export function runClient(command: string, args: string[], env: Record<string, string>): Promise<ClientResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {env, stdio: ['ignore', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('error', reject)
    child.on('close', (code) => {
      try {
        resolve({code, out: JSON.parse(stdout.trim().split('\n').at(-1) ?? ''), stderr})
      } catch {
        reject(new Error(`${command} printed no JSON (exit ${code}):\n${stdout}\n${stderr}`))
      }
    })
  })
}

/** Arguments for node: the @azure/identity client asking for `scope`, for `untilChangeMs` until its token changes. */
export const nodeArgs = (mode: 'dac' | 'mi', scope: string, untilChangeMs = 0) => [NODE_CLIENT, IDENTITY_MODULE, mode, scope, String(untilChangeMs)]
/** Arguments for /usr/bin/python3: the azure.identity client, likewise (seconds). */
export const pythonArgs = (scope: string, untilChangeS = 0) => [PYTHON_CLIENT, scope, String(untilChangeS)]
export const nodeClient = (mode: 'dac' | 'mi', scope: string, env: Record<string, string>, untilChangeMs = 0) => runClient(process.execPath, nodeArgs(mode, scope, untilChangeMs), env)
export const pythonClient = (scope: string, env: Record<string, string>, untilChangeS = 0) => runClient(PYTHON, pythonArgs(scope, untilChangeS), env)

/**
 * A loopback listener standing where IMDS would be (AZURE_POD_IDENTITY_AUTHORITY_HOST): it counts
 * connections, so a client that probes IMDS instead of using the App Service endpoint is caught.
 */
export async function imdsTrap(): Promise<{url: string; connections: () => number; close: () => void}> {
  let count = 0
  const server: Server = createServer((socket) => {
    count++
    socket.destroy()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {close: () => server.close(), connections: () => count, url: `http://127.0.0.1:${(server.address() as {port: number}).port}`}
}
