import assert from 'node:assert/strict'

import {SECRET_ENV_NAMES, scrubbedEnv} from '../../src/lib/child-env.js'

describe('child environment', () => {
  it('drops every secret variable and keeps the rest', () => {
    const env: NodeJS.ProcessEnv = {HOME: '/home/a', PATH: '/bin'}
    for (const name of SECRET_ENV_NAMES) env[name] = 'secret'
    const child = scrubbedEnv(env)
    assert.deepEqual(child, {HOME: '/home/a', PATH: '/bin'})
    assert.equal(env.AZURE_CLIENT_SECRET, 'secret', 'the parent environment is not changed')
  })

  it('drops extra names on request', () => {
    assert.deepEqual(scrubbedEnv({A: '1', B: '2'}, ['B']), {A: '1'})
  })
})
