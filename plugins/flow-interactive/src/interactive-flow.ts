import type {Flow, FlowContext, FlowOptionValues, TokenResult} from 'entratool'
import {createHash, randomBytes, timingSafeEqual} from 'node:crypto'

import {type LateFailure, type OpenOutcome, openBrowser, systemBrowserOpenerDeps} from './browser-opener.js'
import {callbackError, portError} from './callback-errors.js'
import {isHeadless, systemDisplayEnvironment} from './headless.js'
import {type PortRequest, PortUnavailableError} from './loopback-binding.js'
import {type LoopbackServer, startLoopbackServer} from './loopback-server.js'
import {type LineSource, readLine, readPastedRedirect} from './paste-redirect.js'
import {forwardingLine, REMOTE_PORT, remoteName, remoteSession} from './remote-session.js'

/** The flow's own side effects beyond the context: tests swap them for fakes. */
export interface InteractiveFlowDeps {
  isHeadless(env: NodeJS.ProcessEnv): boolean
  /**
   * `env` is read (BROWSER); `childEnv` is what a started browser gets. `reached` is aborted once
   * the browser loaded `url`: it opened, and waiting any longer for its command to fail is waste.
   */
  openBrowser(url: string, env: {childEnv: NodeJS.ProcessEnv; env: NodeJS.ProcessEnv}, report?: LateFailure, reached?: AbortSignal): Promise<OpenOutcome>
  /** Where --paste-redirect reads the address from (the terminal, or stdin when it is not one). */
  lines?: LineSource
}

const systemDeps: InteractiveFlowDeps = {
  isHeadless: (env) => isHeadless(systemDisplayEnvironment(env)),
  openBrowser: (url, {childEnv, env}, report, reached) => openBrowser(url, systemBrowserOpenerDeps(env, childEnv), report, reached),
}

/**
 * Authorization code + PKCE with our own loopback server. msal-node 7's acquireTokenInteractive
 * is not used: it picks another port silently, has no timeout and no way to show real pages.
 */
export function createInteractiveFlow(deps: InteractiveFlowDeps = systemDeps): Flow {
  return {
    async acquire(ctx: FlowContext): Promise<TokenResult> {
      const {settings, ui} = ctx
      const {port: fixedPort, portRange} = portOptions(settings.options)
      if (settings.options.pasteRedirect === true) return pasteSignIn(ctx, deps)
      const remote = remoteSession(ctx.env)
      const headless = deps.isHeadless(ctx.env)
      if (settings.openBrowser && headless) {
        if (remote) {
          const port = fixedPort ?? REMOTE_PORT
          ui.status(`No browser can be opened from ${remoteName(remote)}. To sign in with the browser on your own computer, either:`)
          ui.status(`  forward the sign-in port, then add --no-browser: ${forwardingLine(remote, port, ctx.env)}`)
          ui.status(`    entratool get-token --profile ${settings.profile} --flow interactive --no-browser${fixedPort === undefined ? '' : ` --port ${port}`}`)
          ui.status(`  or paste the address the browser ends on: entratool get-token --profile ${settings.profile} --flow interactive --paste-redirect`)
          ui.status('Falling back to device code flow.')
        } else {
          ui.status('No display detected. Falling back to device code flow.')
        }

        return ctx.runFlow('device-code')
      }

      // In a remote session the loopback port is fixed, so a forwarding set up once keeps working.
      const fixedRemotePort = remote && headless && !fixedPort && !portRange
      const state = randomBytes(32).toString('base64url')
      const server = await startLoopbackServer({
        clock: ctx.clock,
        onForgedCallback: () => ui.warn('A sign-in response that does not belong to this sign-in (wrong state) reached the callback port and was refused; still waiting.'),
        port: fixedRemotePort ? {port: REMOTE_PORT} : portRequest(settings.options),
        state,
      }).catch((error: unknown) => {
        throw error instanceof PortUnavailableError ? portError(error, ctx.errors) : error
      })
      if (remote && headless) ui.status(`Sign-in callback on port ${server.port}; from your computer forward it with: ${forwardingLine(remote, server.port, ctx.env)}`)
      try {
        return await signIn(ctx, server, state, deps)
      } finally {
        await server.close()
      }
    },
  }
}

export default createInteractiveFlow()

function authorizeRequest(ctx: FlowContext, redirectUri: string, state: string) {
  const {loginHint, prompt} = ctx.settings
  // Without a hint, let the person pick the account instead of silently reusing a session.
  return ctx.tokens.authorizationCode({loginHint, prompt: prompt ?? (loginHint ? undefined : 'select_account'), redirectUri, state})
}

async function signIn(ctx: FlowContext, server: LoopbackServer, state: string, deps: InteractiveFlowDeps): Promise<TokenResult> {
  const {settings, ui} = ctx
  const {redeem, url} = await authorizeRequest(ctx, server.redirectUri, state)
  // The browser gets a one-time address on the loopback server that redirects to the authorize
  // URL, so state and code_challenge never appear on a command line (/proc/<pid>/cmdline). The
  // server sees it loaded (or the callback arrive), which ends the launch wait at once.
  await presentUrl(ctx, url, {reached: server.reached, url: () => server.launchUrl(url)}, deps)
  // How long it will wait, counting down.
  const stopCountdown = ui.countdown(ctx.clock.now() + settings.timeoutMs, (left) => `Waiting for sign-in... (${left} left; --timeout changes it)`)
  const outcome = await server.waitForCallback({signal: ctx.signal, timeoutMs: settings.timeoutMs}).finally(stopCountdown)
  if (outcome.type !== 'code') throw callbackError(outcome, ctx.errors, settings.profile)

  try {
    const result = await redeem(outcome.code)
    server.finish({ok: true})
    ui.success('Authentication successful!')
    return result
  } catch (error) {
    server.finish({message: 'The sign-in code could not be exchanged for a token.', ok: false})
    throw error
  }
}

/**
 * --paste-redirect: no listener. The browser ends on `http://localhost:PORT/?code=…&state=…`,
 * which fails to load; the person copies that address from the address bar and pastes it here.
 * Works over plain SSH, tunnels and serial consoles.
 */
async function pasteSignIn(ctx: FlowContext, deps: InteractiveFlowDeps): Promise<TokenResult> {
  const {errors, settings, ui} = ctx
  const redirectUri = `http://localhost:${portOptions(settings.options).port ?? REMOTE_PORT}/`
  const state = randomBytes(32).toString('base64url')
  const {redeem, url} = await authorizeRequest(ctx, redirectUri, state)
  const canOpen = settings.openBrowser && !deps.isHeadless(ctx.env)
  // No listener sees the browser arrive here: the launch wait runs its full length.
  await presentUrl(ctx, url, canOpen ? {url: () => url} : undefined, deps)
  ui.instruct(`After you sign in, the browser goes to ${redirectUri}?code=… and shows that the page cannot be reached.`)
  ui.instruct('Copy that whole address from the address bar and paste it here.')
  const lines = deps.lines ?? {stderr: process.stderr, stdin: process.stdin}
  const timer = new AbortController()
  const stop = AbortSignal.any([ctx.signal, timer.signal])
  if (settings.timeoutGiven && settings.timeoutMs > 0) ctx.clock.sleep(settings.timeoutMs, stop).then(() => timer.abort(), () => {})
  let pasted: string | undefined
  try {
    pasted = await readLine('Address: ', lines, stop)
  } catch {
    if (ctx.signal.aborted || !timer.signal.aborted) throw errors.create('interrupted', 'Sign-in was interrupted.')
    throw errors.create('interaction', 'Timeout waiting for the pasted address', {next: 'Run the command again and paste the address sooner, or allow more time with --timeout.'})
  } finally {
    timer.abort()
  }

  const outcome = readPastedRedirect(pasted ?? '', redirectUri, state, sameSecret)
  if (outcome.type === 'garbled') {
    throw errors.create('usage', `The pasted text is not the sign-in redirect: ${outcome.reason}.`, {
      next: `Paste the full address the browser shows after sign-in, starting with ${redirectUri}?code=`,
    })
  }

  if (outcome.type !== 'code') throw callbackError(outcome, errors, settings.profile)
  const result = await redeem(outcome.code)
  ui.success('Authentication successful!')
  return result
}

/**
 * Opens the browser (when asked and possible) and prints the URL whenever launching is not known
 * to have worked; a browser command that fails later is reported and the URL shown then.
 */
async function presentUrl(ctx: FlowContext, url: string, launch: undefined | {reached?: AbortSignal; url: () => string}, deps: InteractiveFlowDeps): Promise<void> {
  const {settings, ui} = ctx
  let outcome: 'no-browser' | OpenOutcome = 'no-browser'
  let shown = false
  const show = (header: string) => {
    if (shown) return
    shown = true
    ui.instruct(header)
    ui.instruct(`  ${url}`)
  }

  if (settings.openBrowser && launch) {
    ui.status('Opening browser for authentication...')
    const problems: string[] = []
    let opening = true
    const report = (reason: string) => {
      if (opening) return problems.push(reason)
      ui.warn(`The browser did not open: ${reason}.`)
      show('Open this URL in a browser to sign in:')
      return undefined
    }

    outcome = await deps.openBrowser(launch.url(), {childEnv: ctx.childEnv, env: ctx.env}, report, launch.reached)
    opening = false
    if (outcome === 'failed') ui.warn(problems.length > 0 ? `Could not open a browser: ${problems.join('; ')}.` : 'Could not open a browser.')
    else ui.success('Browser opened')
  }

  if (outcome === 'opened' && !settings.showUrl) return
  const header = {
    failed: 'Open this URL in a browser to sign in:',
    launched: 'If no browser window appeared, open this URL to sign in:',
    'no-browser': 'Open this URL in a browser to sign in:',
    opened: 'Sign-in URL:',
  }[outcome]
  show(header)
}

/** The loopback port options this flow declares (hooks/flows.ts), as the core resolved them. */
function portOptions(options: FlowOptionValues): {port?: number; portRange?: [number, number]} {
  return {port: options.port as number | undefined, portRange: options.portRange as [number, number] | undefined}
}

function portRequest(options: FlowOptionValues): PortRequest {
  const {port, portRange} = portOptions(options)
  if (port !== undefined) return {port}
  if (portRange) return {range: portRange}
  return {random: true}
}

/** Constant-time comparison; hashing first makes lengths equal so nothing leaks through them either. */
function sameSecret(received: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest()
  return timingSafeEqual(digest(received), digest(expected))
}
