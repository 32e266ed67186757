import type {FlowErrors} from 'entratool'

/** Conditional Access policies that block the device code flow for this sign-in. */
const CONDITIONAL_ACCESS_CODES = new Set(['AADSTS53003', 'AADSTS530033'])

/**
 * The ways device-code polling ends that only this flow knows what to say about, as typed errors;
 * undefined means "not ours": the caller rethrows the original and the core maps it.
 */
export function deviceCodeError(error: unknown, errors: FlowErrors, profile: string): Error | undefined {
  const answer = errors.parse(error)
  if (!answer) return undefined
  const details = {cause: error, code: answer.code ?? answer.error, correlationId: answer.correlationId}

  if (answer.code && CONDITIONAL_ACCESS_CODES.has(answer.code)) {
    return errors.create('auth', 'A Conditional Access policy blocks the device code flow for this sign-in.', {
      ...details,
      next: `Sign in with the browser instead: entratool get-token --flow interactive --profile ${profile}`,
    })
  }

  switch (answer.error) {
    case 'access_denied':
    case 'authorization_declined': {
      return errors.create('interaction', 'Sign-in was declined.', {...details, next: 'Run the command again and approve the sign-in.'})
    }

    case 'code_expired':
    case 'device_code_expired':
    case 'expired_token': {
      return errors.create('interaction', 'Device code has expired. Please try again.', {
        ...details,
        next: 'Run the command again and enter the new code before it expires.',
      })
    }

    case 'device_code_polling_cancelled': {
      return errors.create('interrupted', 'Sign-in was interrupted.', details)
    }

    case 'slow_down': {
      return errors.create('interaction', 'The server asked to slow down polling; try again.', details)
    }

    default: {
      return undefined
    }
  }
}
