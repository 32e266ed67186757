import assert from 'node:assert/strict'
import {createHash} from 'node:crypto'
import {copyFileSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {fileKey} from '../../src/storage/file-key.js'
import {FileBlobStore, FileSecretStore} from '../../src/storage/file-stores.js'
import {UnreadableBlobError} from '../../src/storage/storage.js'
import {FIXTURES, runTs, tempDir} from './helpers.js'

describe('storage: encrypted files on disk', () => {
  let tmp: ReturnType<typeof tempDir>
  beforeEach(() => (tmp = tempDir()))
  afterEach(() => tmp.cleanup())

  const SECRET = 'client-secret-VALUE-that-must-not-leak'

  async function store(dir = join(tmp.dir, 'secrets')) {
    const {key} = await fileKey(join(tmp.dir, 'keys'), undefined)
    return {blobs: new FileBlobStore(dir, key), dir, key}
  }

  it('writes a 0600 file in a 0700 directory whose bytes do not contain the plaintext', async () => {
    const {blobs, dir} = await store()
    await new FileSecretStore(blobs).set('prod/client-secret', SECRET)
    const file = blobs.path('prod/client-secret')
    assert.equal(statSync(file).mode & 0o777, 0o600)
    assert.equal(statSync(dir).mode & 0o777, 0o700)
    assert.equal(statSync(join(tmp.dir, 'keys', 'file.key')).mode & 0o777, 0o600)
    const bytes = readFileSync(file)
    assert.equal(bytes.includes(SECRET), false)
    assert.equal(bytes.includes(Buffer.from(SECRET).toString('base64')), false)
    assert.equal(await new FileSecretStore(blobs).get('prod/client-secret'), SECRET)
  })

  it('refuses a file with one byte changed', async () => {
    const {blobs} = await store()
    await blobs.write('prod.msal', SECRET)
    const bytes = readFileSync(blobs.path('prod.msal'))
    bytes[bytes.length - 3] ^= 0x01
    writeFileSync(blobs.path('prod.msal'), bytes)
    await assert.rejects(blobs.read('prod.msal'), UnreadableBlobError)
  })

  it('refuses a truncated file, down to a few bytes', async () => {
    const {blobs} = await store()
    await blobs.write('prod.msal', SECRET)
    const bytes = readFileSync(blobs.path('prod.msal'))
    for (const length of [bytes.length - 1, 20, 3]) {
      writeFileSync(blobs.path('prod.msal'), bytes.subarray(0, length))
      await assert.rejects(blobs.read('prod.msal'), UnreadableBlobError, `truncated to ${length} bytes`)
    }
  })

  it("refuses a file copied over another entry's file", async () => {
    const {blobs} = await store()
    const secrets = new FileSecretStore(blobs)
    await secrets.set('prod/client-secret', SECRET)
    await secrets.set('test/client-secret', 'the test secret')
    copyFileSync(blobs.path('prod/client-secret'), blobs.path('test/client-secret'))
    await assert.rejects(secrets.get('test/client-secret'), UnreadableBlobError)
  })

  it('derives the same key from the same passphrase, and another from another', async () => {
    const keys = join(tmp.dir, 'keys')
    const first = await fileKey(keys, 'correct horse battery staple')
    const again = await fileKey(keys, 'correct horse battery staple')
    assert.deepEqual(again.key, first.key)
    assert.match(first.source, /ENTRATOOL_CACHE_PASSPHRASE/)

    await new FileBlobStore(join(tmp.dir, 'cache'), first.key).write('prod.msal', SECRET)
    const wrong = await fileKey(keys, 'wrong passphrase')
    assert.notDeepEqual(wrong.key, first.key)
    await assert.rejects(new FileBlobStore(join(tmp.dir, 'cache'), wrong.key).read('prod.msal'), UnreadableBlobError)
    assert.equal((await new FileBlobStore(join(tmp.dir, 'cache'), again.key).read('prod.msal'))?.toString(), SECRET)
  })

  it('gives every process the same key when several create it at once', async function () {
    this.timeout(60_000)
    const keyDir = join(tmp.dir, 'keys')
    // Far enough ahead that every process has loaded before the agreed instant.
    const startAt = String(Date.now() + 2500)
    const runs = await Promise.all(Array.from({length: 6}, () => runTs(join(FIXTURES, 'make-key.ts'), [keyDir, startAt], {PATH: process.env.PATH ?? ''})))
    for (const r of runs) assert.equal(r.code, 0, r.stderr)
    const digests = new Set(runs.map((r) => r.stdout))
    assert.equal(digests.size, 1, `keys differ: ${[...digests].join(', ')}`)
    const onDisk = (await fileKey(keyDir, undefined)).key
    assert.equal([...digests][0], createHash('sha256').update(onDisk).digest('hex'))
  })
})
