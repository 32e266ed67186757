import type {AsyncEntry} from '@napi-rs/keyring'
import {createHash} from 'node:crypto'
import {resolve} from 'node:path'

import {storageError} from '../errors.js'
import {sessionBusProblem} from './session-bus.js'
import type {SecretStore} from './storage.js'

export const KEYCHAIN_SERVICE = 'entratool-cli'
export const KEYCHAIN_TIMEOUT_MS = 3000

/** The keychain's name on this platform, for messages and `list-profiles`. */
export function keychainName(platform: NodeJS.Platform = process.platform): string {
  if (platform === 'darwin') return 'macOS Keychain'
  if (platform === 'win32') return 'Windows Credential Manager'
  return 'Secret Service'
}

/**
 * Secrets in the OS keychain (@napi-rs/keyring), one entry per key under the service
 * `entratool-cli`. The account is `<key>@<hash of the config dir>`, so separate config
 * directories (tests, several setups) never share or overwrite each other's entries.
 *
 * Every call is capped at 3 s: an AbortSignal for the native side and a race in JavaScript,
 * because a native call may ignore the signal. The native module is imported on first call, so
 * it never loads unless this backend is in use.
 */
export class KeychainSecretStore implements SecretStore {
  private readonly accountSuffix: string
  private bus?: Promise<string | undefined>

  constructor(
    configDir: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly timeoutMs = KEYCHAIN_TIMEOUT_MS,
  ) {
    this.accountSuffix = createHash('sha256').update(resolve(configDir)).digest('hex').slice(0, 12)
  }

  async delete(key: string): Promise<void> {
    await this.call(key, 'delete', (entry, signal) => entry.deleteCredential(signal))
  }

  async get(key: string): Promise<string | undefined> {
    return (await this.call(key, 'read', (entry, signal) => entry.getPassword(signal))) ?? undefined
  }

  async set(key: string, value: string): Promise<void> {
    await this.call(key, 'write', (entry, signal) => entry.setPassword(value, signal))
  }

  private async call<T>(key: string, verb: string, operation: (entry: AsyncEntry, signal: AbortSignal) => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.timeoutMs
    const work = this.attempt(key, verb, deadline, operation)
    // The race may be lost by a call that settles later; its outcome no longer matters.
    work.catch(() => {})
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(this.failure(`did not answer within ${this.timeoutMs / 1000} s`)), this.timeoutMs)
    })
    try {
      return await Promise.race([work, timeout])
    } finally {
      clearTimeout(timer)
    }
  }

  private async attempt<T>(key: string, verb: string, deadline: number, operation: (entry: AsyncEntry, signal: AbortSignal) => Promise<T>): Promise<T> {
    if (process.platform === 'linux') {
      this.bus ??= sessionBusProblem(this.env, deadline)
      const problem = await this.bus
      if (problem) throw this.failure(`did not answer: ${problem}`)
    }

    const {AsyncEntry} = await import('@napi-rs/keyring')
    // Past the deadline the caller has moved on: a native call now could only hold the process.
    if (Date.now() >= deadline) throw this.failure(`did not answer within ${this.timeoutMs / 1000} s`)
    try {
      // Pinned to the Secret Service on Linux: the default silently falls back to the kernel
      // keyring, which forgets everything at reboot.
      const entry = new AsyncEntry(KEYCHAIN_SERVICE, `${key}@${this.accountSuffix}`, {linux: {store: 'secret-service'}})
      return await operation(entry, AbortSignal.timeout(Math.max(1, deadline - Date.now())))
    } catch (error) {
      // Native messages go on to list every possible cause; the first sentence is the one that happened.
      throw this.failure(`did not answer the request to ${verb} '${key}': ${(error as Error).message.split(/\.\s/)[0]}`, error)
    }
  }

  private failure(what: string, cause?: unknown) {
    return storageError(`the OS keychain (${keychainName()}) ${what}`, {
      cause,
      next: 'set ENTRATOOL_STORAGE=file to keep tokens and secrets in an AES-256-GCM encrypted file instead',
    })
  }
}
