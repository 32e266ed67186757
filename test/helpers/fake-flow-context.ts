/**
 * A FlowContext for testing flow plugins without the core: real MSAL against the emulator (trusting
 * its CA through the emulator's MSAL network client), a recording UI, a real clock and an AbortController.
 */
import {CryptoProvider, PublicClientApplication} from '@azure/msal-node'

import type {
  Clock,
  ErrorDetails,
  ErrorKind,
  FlowContext,
  FlowSettings,
  FlowUi,
  MsalAuthenticationResult,
  TokenResult,
} from '../../src/flows/contract.js'
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

export interface FakeContextOptions {
  emulator: {authority(tenant?: string): string; caPem: string; host: string}
  settings: Pick<FlowSettings, 'clientId' | 'scopes'> & Partial<FlowSettings>
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
  const settings: FlowSettings = {
    authority: emulator.authority(),
    openBrowser: true,
    profile: 'test',
    sendX5c: false,
    showUrl: false,
    tenantId: 'common',
    timeoutMs: 20_000,
    ...options.settings,
  }
  const system = {networkClient: emulatorNetworkClient(emulator.caPem)}
  const auth = {authority: settings.authority, clientId: settings.clientId, knownAuthorities: [emulator.host]}

  const ctx: FlowContext = {
    clock: realClock,
    env: options.env ?? {},
    errors: {create: (kind, message, details) => new FlowError(kind, message, details)},
    msal: {
      async confidentialClient() {
        throw new Error('The delegated flows under test never ask for a confidential client')
      },
      crypto: async () => new CryptoProvider(),
      publicClient: async () => new PublicClientApplication({auth, system}),
      toResult: (result: MsalAuthenticationResult, kind): TokenResult => ({
        accessToken: result.accessToken,
        account: kind === 'delegated' && result.account ? {homeAccountId: result.account.homeAccountId, username: result.account.username} : null,
        expiresOn: result.expiresOn ?? new Date(0),
        scopes: result.scopes,
        tenantId: result.tenantId,
      }),
    },
    async runFlow(id) {
      flowsRun.push(id)
      if (!options.runFlow) throw new Error(`runFlow(${id}) was not expected`)
      return options.runFlow(id)
    },
    secrets: {certificatePassword: async () => undefined, clientSecret: async () => undefined},
    settings,
    signal: abort.signal,
    ui,
  }
  return {abort, ctx, flowsRun, ui}
}
