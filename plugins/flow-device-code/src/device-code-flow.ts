import type {DeviceCode, Flow, FlowContext, TokenResult} from 'entratool'

import {deviceCodeError} from './device-code-errors.js'

/**
 * The device authorization grant through the core, which polls at the server's `interval` until
 * `expires_in`. The polling sleeps a whole interval between polls and only then looks at `cancel`,
 * so Ctrl+C and --timeout are raced against the polling instead of waiting for it.
 */
const deviceCodeFlow: Flow = {
  async acquire(ctx: FlowContext): Promise<TokenResult> {
    const {errors, settings} = ctx
    const interrupted = () => errors.create('interrupted', 'Sign-in was interrupted.')
    if (ctx.signal.aborted) throw interrupted()
    let stopCountdown: (() => void) | undefined
    const cancel = new AbortController()
    const polling = ctx.tokens.deviceCode({
      cancel: cancel.signal,
      onCode(code) {
        showCode(ctx, code)
        stopCountdown = showTimeLeft(ctx, code.expiresIn)
      },
    })

    const stopWaiting = new AbortController()
    const ended = waitForEnd(ctx, stopWaiting.signal).then((reason) => {
      cancel.abort()
      throw reason === 'aborted'
        ? interrupted()
        : errors.create('interaction', 'Timeout waiting for the device code sign-in', {
            next: 'Run the command again and enter the code sooner, or allow more time with --timeout.',
          })
    })

    try {
      const result = await Promise.race([polling, ended])
      ctx.ui.success('Authentication successful!')
      return result
    } catch (error) {
      throw deviceCodeError(error, errors, settings.profile) ?? error
    } finally {
      stopCountdown?.()
      stopWaiting.abort()
    }
  },
}

export default deviceCodeFlow

function showCode(ctx: FlowContext, response: DeviceCode): void {
  // The core's MSAL does not check the device code endpoint's answer: an error there arrives as empty fields.
  if (!response.userCode || !response.verificationUri) {
    throw ctx.errors.create('auth', 'The authority did not return a device code.', {
      next: 'Check the tenant and client id, and that the app registration allows public client flows.',
    })
  }

  ctx.ui.instruct('To sign in, use a web browser to open:')
  ctx.ui.instruct(`  ${response.verificationUri}`)
  ctx.ui.instruct(`And enter code: ${response.userCode}`)
}

/** The time left to enter the code, or until --timeout gives up when that comes first. */
function showTimeLeft(ctx: FlowContext, expiresInSeconds: number): () => void {
  const now = ctx.clock.now()
  const expires = now + expiresInSeconds * 1000
  const {timeoutGiven, timeoutMs} = ctx.settings
  if (timeoutGiven && timeoutMs > 0 && now + timeoutMs < expires) {
    return ctx.ui.countdown(now + timeoutMs, (left, at) => `Waiting for sign-in: --timeout ends the wait in ${left} (at ${at})`)
  }

  return ctx.ui.countdown(expires, (left, at) => `Waiting for sign-in: the code expires in ${left} (at ${at})`)
}

/**
 * Resolves when Ctrl+C arrives or --timeout passes; never if `stop` fires first. Without an
 * explicit --timeout the code's own expiry (Entra: 15 min) ends the wait, as with `az login`.
 */
function waitForEnd(ctx: FlowContext, stop: AbortSignal): Promise<'aborted' | 'timeout'> {
  return new Promise((resolve) => {
    const {signal} = ctx
    const onAbort = () => resolve('aborted')
    if (signal.aborted) return onAbort()
    signal.addEventListener('abort', onAbort, {once: true})
    stop.addEventListener('abort', () => signal.removeEventListener('abort', onAbort), {once: true})
    if (ctx.settings.timeoutGiven && ctx.settings.timeoutMs > 0) {
      ctx.clock.sleep(ctx.settings.timeoutMs, stop).then(
        () => resolve('timeout'),
        () => {},
      )
    }
  })
}
