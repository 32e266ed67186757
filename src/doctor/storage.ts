import {existsSync} from 'node:fs'
import {join} from 'node:path'

import {isEntraToolError} from '../errors.js'
import {BACKEND_KINDS, readBackendRecord, recordFile} from '../storage/backend-record.js'
import {keychainName, KeychainSecretStore} from '../storage/keychain-store.js'
import {sessionBusProblem} from '../storage/session-bus.js'
import type {BackendKind} from '../storage/storage.js'
import {type CheckResult, fail, ok, warn} from './check.js'
import {defaultCollectionState} from './secret-service.js'

/** What the keychain probe found: undefined when it answered, else why not. */
export type KeychainProbe = (configDir: string, env: NodeJS.ProcessEnv) => Promise<string | undefined>

/** Never a real secret: reading it only shows whether the keychain answers (as the hook's probe). */
const PROBE_ENTRY = 'probe'
const PROBE_MS = 3000

/**
 * Asks the OS keychain once, within the same 3 s the credential-provider hook allows. On Linux the
 * D-Bus session bus is checked first without blocking (src/storage/session-bus.ts), so a bus
 * that never answers costs at most those 3 s and never hangs the process.
 */
export const probeKeychain: KeychainProbe = async (configDir, env) => {
  if (process.platform === 'linux') {
    const deadline = Date.now() + PROBE_MS
    const bus = await sessionBusProblem(env, deadline)
    if (bus) return bus
    // Reading from a locked collection waits for an unlock prompt: say so instead of timing out.
    const collection = await defaultCollectionState(env, deadline)
    if ('locked' in collection && collection.locked) return "the Secret Service's default collection (keyring) is locked"
  }

  return new KeychainSecretStore(configDir, env, PROBE_MS).get(PROBE_ENTRY).then(
    () => undefined,
    (error: Error) => error.message,
  )
}

/**
 * Which backend holds tokens and secrets, and why: forced by ENTRATOOL_STORAGE, recorded in
 * storage.json, or still to be chosen. Reads only; the doctor never moves or creates anything.
 */
export async function storageChecks(configDir: string, env: NodeJS.ProcessEnv, probe: KeychainProbe = probeKeychain): Promise<CheckResult[]> {
  const keychain = keychainName()
  const silence = await probe(configDir, env)
  const keychainLine = ok('keychain', silence ? `${keychain} not available: ${silence}` : `${keychain} answers`)

  const forcedValue = env.ENTRATOOL_STORAGE?.trim().toLowerCase()
  if (forcedValue && !BACKEND_KINDS.includes(forcedValue as BackendKind)) {
    return [keychainLine, fail('storage backend', `ENTRATOOL_STORAGE='${env.ENTRATOOL_STORAGE}' is not a storage backend`, `set ENTRATOOL_STORAGE to one of ${BACKEND_KINDS.join(', ')}, or unset it`)]
  }

  let recorded: BackendKind | undefined
  try {
    recorded = await readBackendRecord(configDir)
  } catch (error) {
    if (!isEntraToolError(error)) throw error
    return [keychainLine, fail('storage backend', error.message, error.next ?? `remove ${recordFile(configDir)} to choose again`)]
  }

  const forced = forcedValue as BackendKind | undefined
  const inUse = forced ?? recorded
  const why = forced ? `forced by ENTRATOOL_STORAGE=${forced}` : recorded ? `recorded in ${recordFile(configDir)}` : undefined
  const name = 'storage backend'

  if (!inUse) {
    const next = silence ? 'encrypted files (the OS keychain does not answer)' : `the OS keychain (${keychain})`
    return [keychainLine, ok(name, `not chosen yet: the first command that stores something will use ${next}`)]
  }

  if (inUse === 'plaintext') {
    return [keychainLine, warn(name, `plaintext files, ${why}: tokens and secrets are stored UNENCRYPTED`, 'unset ENTRATOOL_STORAGE (or set it to file) to encrypt them')]
  }

  if (inUse === 'keychain') {
    if (silence) {
      const unlock = silence.includes('is locked') ? 'unlock the keyring (log in to the desktop session, or `gnome-keyring-daemon --unlock`)' : 'start or unlock your keyring (log in to the desktop session)'
      const fix = `${unlock}, or set ENTRATOOL_STORAGE=file to keep new tokens and secrets in encrypted files`
      return [fail('keychain', `${keychain} does not answer: ${silence}`, fix), fail(name, `the OS keychain, ${why}, cannot be used`, fix)]
    }

    return [keychainLine, ok(name, `the OS keychain (${keychain}) holds secrets and the key of the encrypted token files, ${why}`)]
  }

  const keySource = env.ENTRATOOL_CACHE_PASSPHRASE ? 'key derived from ENTRATOOL_CACHE_PASSPHRASE' : `key file ${join(configDir, 'keys', 'file.key')}${existsSync(join(configDir, 'keys', 'file.key')) ? '' : ' (not made yet)'}`
  const move = silence || forced ? '' : '; the keychain answers now: ENTRATOOL_STORAGE=keychain moves the secrets there'
  return [keychainLine, ok(name, `encrypted files (AES-256-GCM, ${keySource}), ${why}${move}`)]
}
