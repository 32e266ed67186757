/**
 * A FlowContext for testing flow plugins without the rest of the core: the core's token operations
 * on real MSAL against the emulator (trusting its CA through the emulator's MSAL network client), a
 * recording UI, a real clock and an AbortController.
 */
import {CryptoProvider, PublicClientApplication} from '@azure/msal-node'

import type {Clock, ErrorDetails, ErrorKind, FlowContext, FlowOptionValues, FlowSettings, FlowUi, TokenResult} from '../../src/flows/contract.js'
import {MsalTokens} from '../../src/msal/msal-tokens.js'
import {parseAuthorityError} from '../../src/msal/oauth-error.js'
import {emulatorNetworkClient} from '../emulator/msal-network.js'

export class FlowError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    readonly details: ErrorDetails = {},
  ) {
    super(message)
    this.name = 'FlowError'
  }
}

export interface UiLine {
  level: keyof FlowUi
  text: string
}

export class RecordingUi implements FlowUi {
  readonly lines: UiLine[] = []
  debug = this.recorder('debug')
  instruct = this.recorder('instruct')
  status = this.recorder('status')
  success = this.recorder('success')
  waiting = this.recorder('waiting')
  warn = this.recorder('warn')

  /** Recorded as one waiting line: the countdown's words before the time left. */
  countdown(_until: number, text: (left: string, at: string) => string): () => void {
    const words = text('\u0000', '\u0000')
    this.lines.push({level: 'waiting', text: words.slice(0, words.indexOf('\u0000')).replace(/[\s(]+$/, '')})
    return () => {}
  }

  /** ISO UTC: one unambiguous instant, whatever the test machine's zone. */
  localTime(date: Date): string {
    return date.toISOString()
  }

  /** Everything shown, one line each, to search with includes() or a regular expression. */
  text(): string {
    return this.lines.map((line) => line.text).join('\n')
  }

  private recorder(level: keyof FlowUi): (text: string) => void {
    return (text) => {
      this.lines.push({level, text})
    }
  }
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason)
      const timer = setTimeout(resolve, ms)
      signal?.addEventListener(
        'abort',
        () => {
          clearTimeout(timer)
          reject(signal.reason)
        },
        {once: true},
      )
    }),
}

/** Settings as tests write them: a flow's declared options (port, certificatePath…) beside the core's. */
export type TestSettings = Partial<FlowSettings> & {[option: string]: unknown}

const CORE_SETTINGS = new Set(['authority', 'claims', 'clientId', 'loginHint', 'oneOff', 'openBrowser', 'options', 'profile', 'prompt', 'scopes', 'showUrl', 'tenantId', 'timeoutGiven', 'timeoutMs'])

/** Moves the options in test-written settings to `options`, where the core puts them. */
export function withOptionValues<T extends TestSettings>(settings: T): T & {options: FlowOptionValues} {
  const core: Record<string, unknown> = {}
  const options: Record<string, unknown> = {...settings.options}
  for (const [key, value] of Object.entries(settings)) {
    if (key === 'options') continue
    if (CORE_SETTINGS.has(key)) core[key] = value
    else options[key] = value
  }

  return {...core, options} as T & {options: FlowOptionValues}
}

export interface FakeContextOptions {
  emulator: {authority(tenant?: string): string; caPem: string; host: string}
  settings: Pick<FlowSettings, 'clientId' | 'scopes'> & TestSettings
  env?: NodeJS.ProcessEnv
  runFlow?: (id: string) => Promise<TokenResult>
}

export interface FakeFlowContext {
  abort: AbortController
  ctx: FlowContext
  /** Ids passed to ctx.runFlow, in order. */
  flowsRun: string[]
  ui: RecordingUi
}

export function createFakeFlowContext(options: FakeContextOptions): FakeFlowContext {
  const {emulator} = options
  const ui = new RecordingUi()
  const abort = new AbortController()
  const flowsRun: string[] = []
  const settings: FlowSettings = withOptionValues({
    authority: emulator.authority(),
    openBrowser: true,
    profile: 'test',
    oneOff: false,
    showUrl: false,
    tenantId: 'common',
    timeoutGiven: true,
    timeoutMs: 20_000,
    ...options.settings,
  })
  const system = {networkClient: emulatorNetworkClient(emulator.caPem)}
  const auth = {authority: settings.authority, clientId: settings.clientId, knownAuthorities: [emulator.host]}

  const ctx: FlowContext = {
    childEnv: options.env ?? {},
    clock: realClock,
    env: options.env ?? {},
    errors: {create: (kind, message, details) => new FlowError(kind, message, details), parse: parseAuthorityError},
    async runFlow(id) {
      flowsRun.push(id)
      if (!options.runFlow) throw new Error(`runFlow(${id}) was not expected`)
      return options.runFlow(id)
    },
    secrets: {certificatePassword: async () => undefined, clientSecret: async () => undefined},
    settings,
    signal: abort.signal,
    tokens: new MsalTokens(
      {
        async confidentialClient() {
          throw new Error('The delegated flows under test never ask for a confidential client')
        },
        async managedIdentity() {
          throw new Error('The delegated flows under test never ask for a managed identity')
        },
        pkceCodes: () => new CryptoProvider().generatePkceCodes(),
        publicClient: async () => new PublicClientApplication({auth, system}),
      },
      settings,
    ),
    ui,
  }
  return {abort, ctx, flowsRun, ui}
}
