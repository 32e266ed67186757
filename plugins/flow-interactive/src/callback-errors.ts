import type {FlowErrors} from 'entratool'

import {type PortUnavailableError} from './loopback-binding.js'
import type {CallbackOutcome} from './loopback-server.js'

type Failure = Exclude<CallbackOutcome, {type: 'code'}>

/** Turns every way the wait for the browser can end without a code into the typed error the core maps to an exit code. */
export function callbackError(outcome: Failure, errors: FlowErrors, profile: string): Error {
  switch (outcome.type) {
    case 'aborted': {
      return errors.create('interrupted', 'Sign-in was interrupted.')
    }

    case 'idp-error': {
      return idpError(outcome.error, outcome.description, errors, profile)
    }

    case 'state-mismatch': {
      return errors.create('auth', 'The sign-in response did not match this request (state mismatch); nothing was exchanged.', {
        next: 'Run the command again. If this repeats, another program or web page may be sending requests to the sign-in port.',
      })
    }

    case 'timeout': {
      return errors.create('interaction', 'Timeout waiting for authentication callback', {
        next: [
          'Check that the app registration lists the redirect URI http://localhost under "Mobile and desktop applications" (public client).',
          'Check that no firewall or proxy blocks http://localhost.',
          `Try a fixed port: entratool get-token --flow interactive --profile ${profile} --port 8080`,
          'Or give yourself more time with --timeout.',
        ].join('\n'),
      })
    }
  }
}

const NEXT_STEPS: Record<string, string> = {
  access_denied: 'Run the command again to sign in, and accept the request if you want to continue.',
  consent_required: 'Ask an administrator to grant consent to the app, or sign in with an account allowed to consent.',
  interaction_required: 'Run the command again and complete every step the sign-in page asks for.',
  login_required: 'Run the command again and complete every step the sign-in page asks for.',
}

function idpError(error: string, description: string | undefined, errors: FlowErrors, profile: string): Error {
  const answer = errors.parse({error, error_description: description})
  const message = answer?.description ? `Sign-in failed (${error}): ${answer.description}` : `Sign-in failed (${error}).`
  const next = NEXT_STEPS[error] ?? `Run the command again, or try the device code flow: entratool get-token --flow device-code --profile ${profile}`
  return errors.create('interaction', message, {code: answer?.code ?? error, correlationId: answer?.correlationId, next})
}

export function portError(error: PortUnavailableError, errors: FlowErrors): Error {
  const {request} = error
  if ('port' in request) {
    const {port} = request
    const problem = error.reason === 'busy' ? 'is already in use' : 'cannot be used (permission denied)'
    // Below 1024 a port needs privileges: the next one would fail the same way (80 → 81).
    const instead = error.reason === 'busy' && port + 1 >= 1024 && port < 65_535 ? port + 1 : (error.freePort ?? 8400)
    return errors.create('usage', `Port ${port} ${problem}`, {
      next: [`Use another port: --port ${instead}`, 'Or omit --port to use a random free port.', `See what is using it: lsof -i :${port}`].join('\n'),
    })
  }

  if ('range' in request) {
    const [first, last] = request.range
    return errors.create('usage', `No free port in the range ${first}-${last}`, {
      next: 'Use a wider --port-range, or omit it to use a random free port.',
    })
  }

  return errors.create('usage', 'No free port found for the sign-in callback', {next: 'Choose a port with --port or --port-range.'})
}
