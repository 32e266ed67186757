import {existsSync} from 'node:fs'
import {join} from 'node:path'

import {ProfileStore} from '../profiles/store.js'
import {readBackendRecord, recordFile, writeBackendRecord} from './backend-record.js'
import {type Backend, openBackend} from './backends.js'
import {FileBlobStore} from './file-stores.js'
import {withLock} from './lock.js'
import {cacheDir} from './profile-names.js'
import {type BackendKind, UnreadableBlobError} from './storage.js'

/**
 * Makes `to` the recorded backend of the config dir, moving the secrets and the files' key over
 * from the backend recorded before. Runs under the storage lock, so processes starting together
 * agree on one backend and one key. Returns the warnings to show.
 */
export async function switchBackend(configDir: string, env: NodeJS.ProcessEnv, to: Backend): Promise<string[]> {
  return withLock(recordFile(configDir), async () => {
    const recorded = (await readBackendRecord(configDir)) ?? legacyBackend(configDir)
    const {cleanup, warnings} = recorded && recorded !== to.kind ? await migrate(configDir, env, recorded, to) : {warnings: []}
    await to.key()
    await writeBackendRecord(configDir, to.kind)
    // Only once the record points at the new backend: a crash before this leaves the old copies
    // in place and the next run moves them again.
    await cleanup?.().catch((error: Error) => warnings.push(`the old copies in the ${recorded} backend could not be removed: ${firstLine(error)}`))
    return warnings
  })
}

/** Config dirs made before storage.json existed kept everything in encrypted files. */
function legacyBackend(configDir: string): BackendKind | undefined {
  const keys = join(configDir, 'keys')
  return existsSync(join(keys, 'file.key')) || existsSync(join(keys, 'passphrase.salt')) ? 'file' : undefined
}

async function migrate(configDir: string, env: NodeJS.ProcessEnv, fromKind: BackendKind, to: Backend): Promise<{cleanup?: () => Promise<void>; warnings: string[]}> {
  let from: Backend
  try {
    from = await openBackend(fromKind, configDir, env)
  } catch (error) {
    return {warnings: [unreadable(fromKind, firstLine(error))]}
  }

  const problems: string[] = []
  const oldKey = await from.currentKey().catch((error: Error) => {
    problems.push(firstLine(error))
    return undefined
  })
  const secrets = new Map<string, string>()
  for (const ref of secretRefs(configDir)) {
    // A keychain that did not answer once would only make every further call wait again.
    if (fromKind === 'keychain' && problems.length > 0) break
    try {
      const value = await from.secrets.get(ref)
      if (value !== undefined) secrets.set(ref, value)
    } catch (error) {
      problems.push(firstLine(error))
    }
  }

  const keyMoved = oldKey ? await to.adoptKey(oldKey) : false
  if (oldKey !== undefined && !keyMoved) await reseal(configDir, oldKey, await to.key())
  for (const [ref, value] of secrets) await to.secrets.set(ref, value)

  // What could not be read stays where it is, and so does everything else of the old backend.
  if (problems.length > 0) return {warnings: [unreadable(fromKind, problems[0])]}
  return {
    async cleanup() {
      for (const ref of secrets.keys()) await from.secrets.delete(ref)
      if (oldKey) await from.dropKey()
    },
    warnings: [],
  }
}

/** The secret entries named by the profiles: the only secrets entratool stores. */
function secretRefs(configDir: string): string[] {
  const refs = Object.values(new ProfileStore(configDir).read().profiles).flatMap((p) => [p.secretRef, p.certificatePasswordRef])
  return [...new Set(refs.filter((ref): ref is string => Boolean(ref)))]
}

/** Re-encrypts the cached tokens when the new backend's key could not be the old one. */
async function reseal(configDir: string, oldKey: Buffer | null, newKey: Buffer | null): Promise<void> {
  if (oldKey && newKey && oldKey.equals(newKey)) return
  const source = new FileBlobStore(cacheDir(configDir), oldKey)
  const target = new FileBlobStore(cacheDir(configDir), newKey)
  for (const name of await source.names()) {
    // A cache file that cannot be opened is not worth stopping for: the next sign-in replaces it.
    const data = await source.read(name).catch((error) => {
      if (error instanceof UnreadableBlobError) return undefined
      throw error
    })
    if (!data) continue
    await target.write(name, data)
    if (source.path(name) !== target.path(name)) await source.delete(name)
  }
}

function unreadable(kind: BackendKind, reason: string): string {
  return `the secrets could not all be read from the ${kind} backend that held them before (${reason}); what could not be read was left there: go back with ENTRATOOL_STORAGE=${kind}, or enter those secrets again with edit-profile`
}

const firstLine = (error: unknown) => (error instanceof Error ? error.message : String(error)).split('\n')[0]
