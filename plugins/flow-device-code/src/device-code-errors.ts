import type {FlowErrors} from 'entratool'

/** The fields of MSAL's AuthError/ServerError read here (plugins cannot import MSAL's classes). */
interface MsalErrorLike {
  correlationId?: string
  errorCode?: string
  errorMessage?: string
  errorNo?: string
  subError?: string
}

/** Conditional Access policies that block the device code flow for this sign-in. */
const CONDITIONAL_ACCESS_CODES = new Set(['AADSTS53003', 'AADSTS530033'])

/**
 * Maps the ways device-code polling ends to typed errors; undefined means "not ours": the
 * caller rethrows the original and the core maps MSAL errors generically.
 */
export function deviceCodeError(error: unknown, errors: FlowErrors, profile: string): Error | undefined {
  if (typeof error !== 'object' || error === null || !('errorCode' in error)) return undefined
  const msal = error as MsalErrorLike
  // MSAL ends its polling loop on any answer but authorization_pending by throwing
  // post_request_failed with the server's `error` as the message.
  const oauthError = msal.errorCode === 'post_request_failed' ? msal.errorMessage?.trim() : msal.errorCode
  const aadsts = msal.errorNo ? `AADSTS${msal.errorNo}` : /\bAADSTS\d+/.exec(msal.errorMessage ?? '')?.[0]
  const details = {cause: error, code: aadsts ?? oauthError, correlationId: msal.correlationId || undefined}

  if (aadsts && CONDITIONAL_ACCESS_CODES.has(aadsts)) {
    return errors.create('auth', 'A Conditional Access policy blocks the device code flow for this sign-in.', {
      ...details,
      next: `Sign in with the browser instead: entratool get-token --flow interactive --profile ${profile}`,
    })
  }

  switch (oauthError) {
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
