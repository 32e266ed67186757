import assert from 'node:assert/strict'

import {appScope} from '../../plugins/flow-client-credentials/src/app-scopes.js'

describe('application flow scopes', () => {
  const accepted: Array<[string, string[], string]> = [
    ['a /.default scope as given', ['https://graph.microsoft.com/.default'], 'https://graph.microsoft.com/.default'],
    ['an api:// /.default scope', ['api://my-api/.default'], 'api://my-api/.default'],
    ['an app id URI with a path and /.default', ['api://contoso.com/my-api/.default'], 'api://contoso.com/my-api/.default'],
    ['a bare resource URL, adding /.default', ['https://graph.microsoft.com'], 'https://graph.microsoft.com/.default'],
    ['a bare resource URL with a trailing slash', ['https://management.azure.com/'], 'https://management.azure.com/.default'],
    ['a bare api:// resource', ['api://entratool-demo-api'], 'api://entratool-demo-api/.default'],
    ['a resource given as the app GUID', ['00000003-0000-0000-c000-000000000000'], '00000003-0000-0000-c000-000000000000/.default'],
    ['an upper-case GUID', ['00000003-0000-0000-C000-000000000000'], '00000003-0000-0000-C000-000000000000/.default'],
    ['a scope next to OIDC scopes, which are dropped', ['openid', 'profile', 'offline_access', 'https://graph.microsoft.com/.default'], 'https://graph.microsoft.com/.default'],
  ]
  for (const [name, scopes, scope] of accepted) {
    it(`accepts ${name}`, () => assert.deepEqual(appScope(scopes), {scope}))
  }

  const refused: Array<[string, string[], RegExp]> = [
    ['no scope at all', [], /exactly one scope .* got none/],
    ['only OIDC scopes', ['openid', 'offline_access'], /got none/],
    ['two resources', ['https://graph.microsoft.com/.default', 'api://my-api/.default'], /exactly one scope .* got https:\/\/graph\.microsoft\.com\/\.default, api:\/\/my-api\/\.default/],
    ['a bare delegated permission', ['User.Read'], /'User\.Read' is a delegated permission/],
    ['a delegated permission with its resource', ['https://graph.microsoft.com/User.Read'], /delegated permission/],
    ['an api:// delegated scope', ['api://my-api/Data.Read'], /delegated permission/],
    ['a GUID-like value that is not a GUID', ['00000003-0000-0000-c000'], /delegated permission/],
  ]
  for (const [name, scopes, problem] of refused) {
    it(`refuses ${name}`, () => {
      const result = appScope(scopes)
      assert.equal(result.scope, undefined)
      assert.match(result.problem ?? '', problem)
    })
  }
})
