import {readFile} from 'node:fs/promises'
import {join} from 'node:path'

import {storageError} from '../errors.js'
import {writePrivateFile} from './private-files.js'
import type {BackendKind} from './storage.js'

export const BACKEND_KINDS: BackendKind[] = ['keychain', 'file', 'plaintext']

/**
 * `<configDir>/storage.json` names the backend that holds this config dir's secrets and key.
 * It is what lets later runs skip the keychain probe, and what tells a switch of backend where
 * the secrets were, so they can be moved instead of lost.
 */
export const recordFile = (configDir: string) => join(configDir, 'storage.json')

export async function readBackendRecord(configDir: string): Promise<BackendKind | undefined> {
  return (await readStorageRecord(configDir)).backend
}

/** storage.json, read once: the backend it names, and what it holds (the key record too, see key-check.ts). */
export async function readStorageRecord(configDir: string): Promise<{backend: BackendKind | undefined; content: unknown}> {
  const file = recordFile(configDir)
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {backend: undefined, content: undefined}
    throw storageError(`cannot read ${file}: ${(error as Error).message}`, {cause: error})
  }

  let content: unknown
  try {
    content = JSON.parse(text)
  } catch {
    content = undefined
  }

  const backend = (content as {backend?: unknown} | null | undefined)?.backend

  // Guessing here could hide secrets that sit in the other backend, so a damaged record stops.
  if (!BACKEND_KINDS.includes(backend as BackendKind)) {
    throw storageError(`${file} is damaged: it does not name a storage backend`, {
      next: `write {"version":1,"backend":"keychain"} or "file" into it (whichever holds your secrets), or remove it to choose again`,
    })
  }

  return {backend: backend as BackendKind, content}
}

export async function writeBackendRecord(configDir: string, backend: BackendKind): Promise<void> {
  await writePrivateFile(recordFile(configDir), `${JSON.stringify({backend, version: 1})}\n`)
}
