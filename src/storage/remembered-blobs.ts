import type {BigIntStats} from 'node:fs'
import {stat} from 'node:fs/promises'

import type {FileBlobStore} from './file-stores.js'
import type {BlobStore} from './storage.js'

interface Remembered {
  seen: BigIntStats
  data: Buffer
}

/**
 * A file blob store that reads (and decrypts) each blob's file once per process: a later read
 * `stat`s the file and hands back what it remembered while the file is the same one. One call
 * otherwise reads the token file up to five times (the cached check, the check again under the
 * profile lock, the refresh reason, and the read-modify-write of the save).
 *
 * Why the stat identity is enough: FileBlobStore only ever replaces a file by renaming a new one
 * over it (lib/atomic-write.ts), so another writer's content always arrives as another inode,
 * made while the one remembered still existed and so with another number; `dev` and `ino` tell
 * them apart. An inode number comes back only after its file is gone, and then the new file
 * would also need the same size and the same mtime and ctime to the nanosecond (the kernel's
 * file clock ticks every few ms at worst); writers of one blob are a network round trip apart
 * (the token files are written only under the profile lock), so that does not happen.
 * The stat is taken before the read: a file replaced between the two leaves a remembered stat
 * that no longer matches, which costs one read more, never a stale answer. So long-running
 * processes (serve-identity, exec) that keep one Storage for hours still see every other
 * process's write at their next read.
 *
 * A write remembers what it wrote, under the stat taken just after its rename. Another process
 * renaming over it before that stat would be taken for ours; the token records and MSAL's cache
 * are written only under the profile lock, so no one can. The blobs written without it (the
 * authority metadata, shared by all profiles) risk at most a stale view of an entry another
 * process added in that instant: one metadata request more. Within the process, a read, write
 * or delete of the same blob started meanwhile leaves nothing remembered (`generation`).
 *
 * Nothing unreadable (UnreadableBlobError) is remembered, and an absent file is never remembered:
 * the stat that finds it missing is the whole read.
 */
export class RememberedBlobStore implements BlobStore {
  private readonly generation = new Map<string, number>()
  private readonly remembered = new Map<string, Remembered>()

  constructor(private readonly files: FileBlobStore) {}

  async delete(name: string): Promise<void> {
    this.forget(name)
    await this.files.delete(name)
  }

  names(): Promise<string[]> {
    return this.files.names()
  }

  path(name: string): string {
    return this.files.path(name)
  }

  async read(name: string): Promise<Buffer | undefined> {
    const seen = await statOf(this.files.path(name))
    if (seen === 'absent') {
      this.remembered.delete(name)
      return undefined
    }

    const known = this.remembered.get(name)
    // Copies: a caller changing the buffer it got must not change what the next one gets.
    if (known && seen && sameFile(known.seen, seen)) return Buffer.from(known.data)
    const generation = this.forget(name)
    const data = await this.files.read(name)
    if (data && seen && this.generation.get(name) === generation) this.remembered.set(name, {data: Buffer.from(data), seen})
    return data
  }

  async write(name: string, data: Buffer | string): Promise<void> {
    const generation = this.forget(name)
    await this.files.write(name, data)
    const seen = await statOf(this.files.path(name))
    if (seen && seen !== 'absent' && this.generation.get(name) === generation) {
      this.remembered.set(name, {data: Buffer.from(data), seen})
    }
  }

  /** Drops what is remembered of `name`, and makes any read or write under way not remember it. */
  private forget(name: string): number {
    this.remembered.delete(name)
    const next = (this.generation.get(name) ?? 0) + 1
    this.generation.set(name, next)
    return next
  }
}

/** The file's stat; 'absent' when there is none; undefined when it cannot be told (the read then says why). */
async function statOf(file: string): Promise<BigIntStats | 'absent' | undefined> {
  try {
    return await stat(file, {bigint: true})
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'absent' : undefined
  }
}

function sameFile(a: BigIntStats, b: BigIntStats): boolean {
  return a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs
}
