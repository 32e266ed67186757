import assert from 'node:assert/strict'
import {randomBytes} from 'node:crypto'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {FileBlobStore} from '../../../src/storage/file-stores.js'
import {openStorage} from '../../../src/storage/open-storage.js'
import {RememberedBlobStore} from '../../../src/storage/remembered-blobs.js'
import {type BlobStore, type Storage, UnreadableBlobError} from '../../../src/storage/storage.js'

/** A FileBlobStore that counts the reads reaching the files. */
class CountingStore extends FileBlobStore {
  reads = 0

  override async read(name: string): Promise<Buffer | undefined> {
    this.reads++
    return super.read(name)
  }
}

describe('remembered blobs: each file is read once per process while it stays the same', () => {
  let dir: string
  let key: Buffer
  let files: CountingStore
  let blobs: RememberedBlobStore
  /** Another process: its own store over the same directory and key. */
  let other: FileBlobStore

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'entratool-remembered-'))
    key = randomBytes(32)
    files = new CountingStore(dir, key)
    blobs = new RememberedBlobStore(files)
    other = new FileBlobStore(dir, key)
  })

  afterEach(() => rmSync(dir, {force: true, recursive: true}))

  it('reads the file once for several reads', async () => {
    await other.write('p.tokens', 'one')
    for (let i = 0; i < 4; i++) assert.equal((await blobs.read('p.tokens'))?.toString(), 'one')
    assert.equal(files.reads, 1)
  })

  it('reads again after another process replaced the file (atomic rename: a new inode)', async () => {
    await other.write('p.tokens', 'one')
    assert.equal((await blobs.read('p.tokens'))?.toString(), 'one')
    await other.write('p.tokens', 'two')
    assert.equal((await blobs.read('p.tokens'))?.toString(), 'two')
    assert.equal((await blobs.read('p.tokens'))?.toString(), 'two')
    assert.equal(files.reads, 2)
  })

  it('reads again after another process replaced the file with one of the same size', async () => {
    await other.write('p.tokens', 'aaaa')
    await blobs.read('p.tokens')
    await other.write('p.tokens', 'bbbb')
    assert.equal((await blobs.read('p.tokens'))?.toString(), 'bbbb')
  })

  it('remembers what it wrote: a read after a write does not read the file', async () => {
    await blobs.write('p.tokens', 'mine')
    assert.equal((await blobs.read('p.tokens'))?.toString(), 'mine')
    assert.equal(files.reads, 0)
    await other.write('p.tokens', 'theirs')
    assert.equal((await blobs.read('p.tokens'))?.toString(), 'theirs')
    assert.equal(files.reads, 1)
  })

  it('hands out copies: changing a returned buffer changes nothing remembered', async () => {
    await blobs.write('p.tokens', 'mine')
    const got = (await blobs.read('p.tokens'))!
    got.fill(0)
    assert.equal((await blobs.read('p.tokens'))?.toString(), 'mine')
  })

  it('forgets a deleted blob', async () => {
    await blobs.write('p.tokens', 'mine')
    await blobs.delete('p.tokens')
    assert.equal(await blobs.read('p.tokens'), undefined)
    await other.write('p.tokens', 'again')
    assert.equal((await blobs.read('p.tokens'))?.toString(), 'again')
  })

  it('sees a file another process deleted as absent, and one it then made as present', async () => {
    await blobs.write('p.tokens', 'mine')
    await other.delete('p.tokens')
    assert.equal(await blobs.read('p.tokens'), undefined)
    await other.write('p.tokens', 'new')
    assert.equal((await blobs.read('p.tokens'))?.toString(), 'new')
  })

  it('an absent file is absent without an open, each time it is asked', async () => {
    assert.equal(await blobs.read('p.tokens'), undefined)
    assert.equal(await blobs.read('p.tokens'), undefined)
    assert.equal(files.reads, 0)
    await other.write('p.tokens', 'now')
    assert.equal((await blobs.read('p.tokens'))?.toString(), 'now')
  })

  it('does not remember a damaged file: each read fails again until it is replaced', async () => {
    writeFileSync(files.path('p.tokens'), 'not sealed')
    await assert.rejects(blobs.read('p.tokens'), UnreadableBlobError)
    await assert.rejects(blobs.read('p.tokens'), UnreadableBlobError)
    assert.equal(files.reads, 2)
    await other.write('p.tokens', 'fixed')
    assert.equal((await blobs.read('p.tokens'))?.toString(), 'fixed')
  })

  it('keeps blobs apart by name, and passes names() and path() through', async () => {
    await blobs.write('a', 'A')
    await blobs.write('b', 'B')
    assert.equal((await blobs.read('a'))?.toString(), 'A')
    assert.equal((await blobs.read('b'))?.toString(), 'B')
    assert.deepEqual((await blobs.names()).sort(), ['a', 'b'])
    assert.equal(blobs.path('a'), files.path('a'))
  })

  it('does not remember a read overtaken by a write of the same blob', async () => {
    await other.write('p.tokens', 'old')
    const reading = blobs.read('p.tokens')
    await blobs.write('p.tokens', 'new')
    await reading
    assert.equal((await blobs.read('p.tokens'))?.toString(), 'new')
  })
})

describe('openStorage: the core file blobs are remembered, a plugin store is used as it is', () => {
  const answer = (plugin: string, blobs: BlobStore) => {
    const storage: Storage = {blobs, description: {secrets: '', tokens: ''}, kind: 'file', secrets: {} as Storage['secrets'], warnings: []}
    return {configDir: '/nowhere', dataDir: '/nowhere', name: 'entratool', runHook: async () => ({failures: [], successes: [{plugin: {name: plugin}, result: storage}]})} as unknown as Parameters<typeof openStorage>[0]
  }

  it('wraps the core FileBlobStore', async () => {
    const storage = await openStorage(answer('entratool', new FileBlobStore('/nowhere', null)), {}, '/nowhere')
    assert.ok(storage.blobs instanceof RememberedBlobStore)
  })

  it("passes a plugin's own blob store through", async () => {
    const theirs = {} as BlobStore
    const storage = await openStorage(answer('entratool-plugin-vault', theirs), {}, '/nowhere')
    assert.equal(storage.blobs, theirs)
  })
})
