import assert from 'node:assert/strict'

import {InProcessCli} from '../../helpers/in-process.js'

describe('commands in-process: what they return and what they render', () => {
  const cli = new InProcessCli()
  after(() => cli.cleanup())

  it('version prints the version line and returns it', async () => {
    const res = await cli.run(['version'])
    assert.equal(res.code, 0, res.stderr)
    assert.match(res.stdout, /^entratool\/\d+\.\d+\.\d+ \S+ node-v\S+( commit [0-9a-f]{40})?\n$/)
    assert.equal(res.result, res.stdout.trimEnd())
    assert.equal(res.stderr, '')
  })

  it('version -o json renders the document it returns', async () => {
    const res = await cli.run(['version', '-o', 'json'])
    assert.equal(res.code, 0, res.stderr)
    assert.deepEqual(JSON.parse(res.stdout), res.result)
    assert.equal(res.stdout, `${JSON.stringify(res.result, null, 2)}\n`)
  })

  it('flows lists the four flows of the core plugins, as a table and as JSON', async () => {
    const text = await cli.run(['flows'])
    assert.equal(text.code, 0, text.stderr)
    assert.match(text.stdout, /^FLOW +ALIASES +KIND +PLUGIN\n/)
    const json = await cli.run(['flows', '-o', 'json'])
    const doc = JSON.parse(json.stdout) as {flows: {id: string}[]; problems: unknown[]}
    assert.deepEqual(doc.flows.map((f) => f.id).sort(), ['client-credentials', 'device-code', 'interactive', 'managed-identity'])
    assert.deepEqual(doc.problems, [])
    assert.deepEqual((json.result as {flows: {id: string}[]}).flows.map((f) => f.id).sort(), doc.flows.map((f) => f.id).sort())
  })

  it('list-profiles with none: the hint on stderr, an empty list returned, nothing on stdout', async () => {
    const res = await cli.run(['list-profiles'])
    assert.equal(res.code, 0, res.stderr)
    assert.equal(res.stdout, '')
    assert.equal(res.stderr, 'No profiles yet. Create one with `entratool create-profile`.\n')
    assert.deepEqual(res.result, [])
    const json = await cli.run(['list-profiles', '-o', 'json'])
    assert.equal(json.stdout, '[]\n')
  })

  it('leaves no exit code, listener or environment behind', async () => {
    const sigint = process.listenerCount('SIGINT')
    const env = {...process.env}
    const bad = await cli.run(['list-profiles', '-o', 'csv']); assert.equal(bad.code, 2, JSON.stringify(bad))
    assert.equal((await cli.run(['version'])).code, 0)
    assert.equal(process.exitCode, undefined)
    assert.equal(process.listenerCount('SIGINT'), sigint)
    assert.deepEqual({...process.env}, env)
  })
})
