import {Parser} from '@oclif/core'
import assert from 'node:assert/strict'

import clientCredentialsFlows from '../../plugins/flow-client-credentials/src/hooks/flows.js'
import interactiveFlows from '../../plugins/flow-interactive/src/hooks/flows.js'
import managedIdentityFlows from '../../plugins/flow-managed-identity/src/hooks/flows.js'
import type {FlowOption} from '../../src/flows/contract.js'
import {declarationProblem, optionValueProblem, parseOptionText, resolveOptions} from '../../src/settings/flow-options.js'
import {cachedOptionFlags, optionFlags, optionsFromFlags} from '../../src/settings/option-flags.js'

const OPTIONS: FlowOption[] = [
  {description: 'A port.', exclusive: ['range'], flag: 'port', name: 'port', type: 'port'},
  {description: 'A range.', flag: 'range', name: 'range', type: 'port-range'},
  {description: 'A switch.', flag: 'switch', name: 'switch', type: 'boolean'},
  {description: 'A count.', flag: 'count', name: 'count', type: 'integer'},
  {description: 'A file.', env: 'FILE_VAR', envUnlessProfileHas: ['secretRef'], flag: 'file', name: 'filePath', type: 'path'},
  {description: 'A word.', env: 'WORD_VAR', flag: 'word', helpValue: '<word>', name: 'word', type: 'string'},
]
const byName = (name: string) => OPTIONS.find((o) => o.name === name)!

async function parse(argv: string[], options = OPTIONS): Promise<Record<string, unknown>> {
  const {flags} = await Parser.parse(argv, {flags: optionFlags(options), strict: true})
  return optionsFromFlags(options, flags)
}

describe('flow options: a declaration becomes flags, checks and one precedence', () => {
  describe('declaration → flags (argv table)', () => {
    const cases: Array<[string[], Record<string, unknown> | RegExp]> = [
      [[], {}],
      [['--port', '8400'], {port: 8400}],
      [['--range', '8000-8100'], {range: [8000, 8100]}],
      [['--switch'], {switch: true}],
      [['--no-switch'], {switch: false}],
      [['--count', '-3'], {count: -3}],
      [['--file', 'rel/f.pem', '--word=a b'], {filePath: 'rel/f.pem', word: 'a b'}],
      [['--port', '0'], /port '0' is invalid/],
      [['--range', '9000-8000'], /reversed/],
      [['--count', '1.5'], /count '1.5' is invalid/],
      [['--port', '1', '--range', '2-3'], /cannot also be provided/],
      [['--switch=yes'], /Unexpected argument|Nonexistent flag|switch/],
      [['--nope'], /Nonexistent flag/],
    ]
    for (const [argv, expected] of cases) {
      it(`${argv.join(' ') || '(nothing)'} → ${expected instanceof RegExp ? `refused ${expected}` : JSON.stringify(expected)}`, async () => {
        if (expected instanceof RegExp) await assert.rejects(parse(argv), expected)
        else assert.deepEqual(await parse(argv), expected)
      })
    }

    it('the manifest form carries what help and completion show', () => {
      const cached = cachedOptionFlags(OPTIONS)
      assert.deepEqual(Object.keys(cached), ['port', 'range', 'switch', 'count', 'file', 'word'])
      assert.deepEqual(cached.port, {description: 'A port.', exclusive: ['range'], hasDynamicHelp: false, helpValue: '<port>', multiple: false, name: 'port', type: 'option'})
      assert.deepEqual(cached.switch, {allowNo: true, description: 'A switch.', exclusive: undefined, name: 'switch', type: 'boolean'})
      assert.equal(cached.word.type === 'option' && cached.word.helpValue, '<word>')
      assert.equal(cached.file.type === 'option' && cached.file.helpValue, '<path>')
    })
  })

  describe('stored values are checked by declared type', () => {
    const cases: Array<[string, unknown, RegExp | undefined]> = [
      ['port', 8400, undefined],
      ['port', 0, /has an invalid port/],
      ['port', '8400', /has an invalid port/],
      ['range', [8000, 8100], undefined],
      ['range', [70_000, 70_001], /invalid port range/],
      ['range', [9000, 8000], /invalid port range/],
      ['switch', false, undefined],
      ['switch', 'yes', /has a switch that is not true or false/],
      ['count', 7, undefined],
      ['count', 7.5, /has an invalid count/],
      ['filePath', '/a/b', undefined],
      ['filePath', 42, /has a filePath that is not text/],
      ['word', 'x\u001B]0;t\u0007', /has a word with control characters/],
    ]
    for (const [name, value, problem] of cases) {
      it(`${name} = ${JSON.stringify(value)} → ${problem ?? 'fine'}`, () => {
        const found = optionValueProblem(byName(name), value)
        if (problem) assert.match(found ?? '', problem)
        else assert.equal(found, undefined)
      })
    }

    it('text the person writes is read by type', () => {
      assert.equal(parseOptionText(byName('switch'), 'true'), true)
      assert.equal(parseOptionText(byName('switch'), 'no'), false)
      assert.throws(() => parseOptionText(byName('switch'), 'maybe'), /give true or false/)
      assert.deepEqual(parseOptionText(byName('range'), '1-2'), [1, 2])
      assert.throws(() => parseOptionText(byName('word'), 'a\u0007'), /control characters/)
    })
  })

  describe('resolution: flag > environment > profile, exclusive options together', () => {
    const profile = {port: 9000, secretRef: undefined, switch: true, word: 'stored'}
    const cases: Array<{name: string; flags?: Record<string, unknown>; env?: NodeJS.ProcessEnv; profile?: Record<string, unknown>; expect: Record<string, unknown>}> = [
      {expect: {port: 9000, switch: true, word: 'stored'}, name: 'profile values when nothing else is given', profile},
      {expect: {port: 9100, switch: true, word: 'stored'}, flags: {port: 9100}, name: 'a flag beats the profile', profile},
      {expect: {range: [8000, 8100], switch: true, word: 'stored'}, flags: {range: [8000, 8100]}, name: 'a flag for one of exclusive options hides the profile\'s other', profile},
      {env: {WORD_VAR: 'env'}, expect: {port: 9000, switch: true, word: 'env'}, name: 'the environment beats the profile', profile},
      {env: {WORD_VAR: 'env'}, expect: {port: 9000, switch: true, word: 'flag'}, flags: {word: 'flag'}, name: 'a flag beats the environment', profile},
      {env: {WORD_VAR: ''}, expect: {port: 9000, switch: true, word: 'stored'}, name: 'an empty variable is not set', profile},
      {env: {FILE_VAR: '/env/f'}, expect: {filePath: '/env/f'}, name: 'the environment fills an option the profile lacks', profile: {}},
      {env: {FILE_VAR: '/env/f'}, expect: {filePath: '/profile/f'}, name: 'but not over a credential the profile names', profile: {filePath: '/profile/f', secretRef: 'p/client-secret'}},
      {env: {FILE_VAR: '/env/f'}, expect: {}, name: 'nor beside one', profile: {secretRef: 'p/client-secret'}},
      {expect: {switch: false}, flags: {switch: false}, name: 'false from a flag is a value, not absence', profile: {switch: true}},
      {expect: {}, name: 'one-off use: no profile'},
    ]
    for (const c of cases) {
      it(c.name, () => assert.deepEqual(resolveOptions(OPTIONS, {env: c.env ?? {}, flags: (c.flags ?? {}) as Record<string, never>, profile: c.profile}), c.expect))
    }

    it('an environment value the option cannot read is a usage error naming the variable', () => {
      const integer: FlowOption = {description: 'n', env: 'N_VAR', flag: 'n', name: 'n', type: 'integer'}
      assert.throws(() => resolveOptions([integer], {env: {N_VAR: 'many'}, flags: {}}), {kind: 'usage', message: /N_VAR: n 'many' is invalid/})
    })
  })

  describe('declarations are checked before they are obeyed', () => {
    const base: FlowOption = {description: 'd', flag: 'my-option', name: 'myOption', type: 'string'}
    const cases: Array<[string, unknown, RegExp | undefined]> = [
      ['no options', undefined, undefined],
      ['a good option', [base], undefined],
      ['not a list', {}, /not a list/],
      ['a core profile key', [{...base, name: 'tenantId'}], /taken by entratool/],
      ['a core flag', [{...base, flag: 'client-id'}], /--client-id, which is taken/],
      ['a name not camelCase', [{...base, name: 'my-option'}], /invalid name/],
      ['a flag not kebab-case', [{...base, flag: '--my'}], /invalid flag/],
      ['an unknown type', [{...base, type: 'date'}], /unknown type "date"/],
      ['no description', [{...base, description: ''}], /no description/],
      ['a bad environment variable', [{...base, env: 'lower'}], /invalid environment variable/],
      ['the same option twice', [base, base], /taken by entratool or another option/],
      ['excluding an undeclared option', [{...base, exclusive: ['other']}], /does not declare: other/],
      ['an empty prompt', [{...base, prompt: ''}], /empty prompt/],
    ]
    for (const [name, options, problem] of cases) {
      it(`${name} → ${problem ?? 'accepted'}`, () => {
        const found = declarationProblem(options)
        if (problem) assert.match(found ?? '', problem)
        else assert.equal(found, undefined)
      })
    }

    it('two flows may share an option only when they declare it alike', () => {
      const accepted = new Map([[base.name, base]])
      assert.equal(declarationProblem([{...base, description: 'said otherwise'}], accepted), undefined)
      assert.match(declarationProblem([{...base, type: 'path'}], accepted)!, /clashes with option 'myOption'/)
      assert.match(declarationProblem([{...base, name: 'otherName'}], accepted)!, /clashes/)
    })
  })

  describe('the built-in flows declare the options their profiles always had', () => {
    it('same profile keys, flags and types; every declaration accepted', async () => {
      const declared = [...(await clientCredentialsFlows()), ...(await interactiveFlows()), ...(await managedIdentityFlows())].flatMap((d) => d.options ?? [])
      assert.deepEqual(
        declared.map((o) => [o.name, o.flag, o.type]),
        [
          ['certificatePath', 'certificate', 'path'],
          ['privateKeyPath', 'private-key', 'path'],
          ['sendX5c', 'send-x5c', 'boolean'],
          ['federatedTokenFile', 'federated-token-file', 'path'],
          ['port', 'port', 'port'],
          ['portRange', 'port-range', 'port-range'],
          ['pasteRedirect', 'paste-redirect', 'boolean'],
          ['managedIdentity', 'managed-identity', 'string'],
        ],
      )
      const accepted = new Map<string, FlowOption>()
      for (const flows of [clientCredentialsFlows, interactiveFlows, managedIdentityFlows]) {
        for (const d of await flows()) {
          assert.equal(declarationProblem(d.options, accepted), undefined, d.id)
          for (const o of d.options ?? []) accepted.set(o.name, o)
        }
      }
    })

    it('--port and --port-range exclude each other as before', async () => {
      const interactive = (await interactiveFlows())[0].options!
      await assert.rejects(parse(['--port', '8400', '--port-range', '8000-8100'], interactive), /--port-range=8000-8100 cannot also be provided when using --port|cannot also be provided/)
      assert.deepEqual(await parse(['--no-paste-redirect', '--port-range', '8000-8100'], interactive), {pasteRedirect: false, portRange: [8000, 8100]})
    })
  })
})
