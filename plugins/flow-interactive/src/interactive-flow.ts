import type {Flow, FlowContext, FlowSettings, TokenResult} from 'entratool'
import {randomBytes} from 'node:crypto'

import {type OpenOutcome, openBrowser, systemBrowserOpenerDeps} from './browser-opener.js'
import {callbackError, portError} from './callback-errors.js'
import {isHeadless, systemDisplayEnvironment} from './headless.js'
import {type PortRequest, PortUnavailableError} from './loopback-binding.js'
import {type LoopbackServer, startLoopbackServer} from './loopback-server.js'

/** The flow's own side effects beyond the context: tests swap them for fakes. */
export interface InteractiveFlowDeps {
  isHeadless(env: NodeJS.ProcessEnv): boolean
  openBrowser(url: string, env: NodeJS.ProcessEnv): Promise<OpenOutcome>
}

const systemDeps: InteractiveFlowDeps = {
  isHeadless: (env) => isHeadless(systemDisplayEnvironment(env)),
  openBrowser: (url, env) => openBrowser(url, systemBrowserOpenerDeps(env)),
}

/**
 * Authorization code + PKCE with our own loopback server. msal-node 7's acquireTokenInteractive
 * is not used: it picks another port silently, has no timeout and no way to show real pages.
 */
export function createInteractiveFlow(deps: InteractiveFlowDeps = systemDeps): Flow {
  return {
    async acquire(ctx: FlowContext): Promise<TokenResult> {
      if (ctx.settings.openBrowser && deps.isHeadless(ctx.env)) {
        ctx.ui.status('No display detected. Falling back to device code flow.')
        return ctx.runFlow('device-code')
      }

      const state = randomBytes(32).toString('base64url')
      const server = await startLoopbackServer({clock: ctx.clock, port: portRequest(ctx.settings), state}).catch((error: unknown) => {
        throw error instanceof PortUnavailableError ? portError(error, ctx.errors) : error
      })
      try {
        return await signIn(ctx, server, state, deps)
      } finally {
        await server.close()
      }
    },
  }
}

export default createInteractiveFlow()

async function signIn(ctx: FlowContext, server: LoopbackServer, state: string, deps: InteractiveFlowDeps): Promise<TokenResult> {
  const {settings, ui} = ctx
  const {challenge, verifier} = await (await ctx.msal.crypto()).generatePkceCodes()
  const app = await ctx.msal.publicClient()
  const url = await app.getAuthCodeUrl({
    claims: settings.claims,
    codeChallenge: challenge,
    codeChallengeMethod: 'S256',
    loginHint: settings.loginHint,
    // Without a hint, let the person pick the account instead of silently reusing a session.
    prompt: settings.loginHint ? undefined : 'select_account',
    redirectUri: server.redirectUri,
    responseMode: 'query',
    scopes: settings.scopes,
    state,
  })

  await presentUrl(ctx, url, deps)
  // How long it will wait, counting down (a core without countdown gets the plain line).
  const stopCountdown = ui.countdown?.(ctx.clock.now() + settings.timeoutMs, (left) => `Waiting for sign-in... (${left} left; --timeout changes it)`)
  if (!stopCountdown) ui.waiting('Waiting for sign-in...')
  const outcome = await server.waitForCallback({signal: ctx.signal, timeoutMs: settings.timeoutMs}).finally(stopCountdown)
  if (outcome.type !== 'code') throw callbackError(outcome, ctx.errors, settings.profile)

  try {
    const result = await app.acquireTokenByCode({
      claims: settings.claims,
      code: outcome.code,
      codeVerifier: verifier,
      redirectUri: server.redirectUri,
      scopes: settings.scopes,
    })
    server.finish({ok: true})
    ui.success('Authentication successful!')
    return ctx.msal.toResult(result, 'delegated')
  } catch (error) {
    server.finish({message: 'The sign-in code could not be exchanged for a token.', ok: false})
    throw error
  }
}

async function presentUrl(ctx: FlowContext, url: string, deps: InteractiveFlowDeps): Promise<void> {
  const {settings, ui} = ctx
  let outcome: 'no-browser' | OpenOutcome = 'no-browser'
  if (settings.openBrowser) {
    ui.status('Opening browser for authentication...')
    outcome = await deps.openBrowser(url, ctx.env)
    if (outcome === 'failed') ui.warn('Could not open a browser.')
    else ui.success('Browser opened')
  }

  if (outcome === 'opened' && !settings.showUrl) return
  const header = {
    failed: 'Open this URL in a browser to sign in:',
    launched: 'If no browser window appeared, open this URL to sign in:',
    'no-browser': 'Open this URL in a browser to sign in:',
    opened: 'Sign-in URL:',
  }[outcome]
  ui.instruct(header)
  ui.instruct(`  ${url}`)
}

function portRequest(settings: FlowSettings): PortRequest {
  if (settings.port !== undefined) return {port: settings.port}
  if (settings.portRange) return {range: settings.portRange}
  return {random: true}
}
