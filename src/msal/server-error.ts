import {isEntraToolError} from '../errors.js'
import type {NetworkClient, ServerErrorAnswer} from './network-client.js'
import {isMsalLikeError} from './oauth-error.js'

const METADATA_FAILURES = new Set(['endpoints_resolution_error', 'network_error'])

/**
 * The authority's own error answer behind a failure MSAL reported without it, or undefined.
 * MSAL keeps only `error` of a device-code poll's answer (`post_request_failed`) and nothing of a
 * refused metadata request, so the network client keeps the last answer and this matches it to
 * the failure: the same `error` for a poll, the same URL as the last status for metadata. A flow's
 * own typed error keeps MSAL's error as its cause, which is looked at the same way.
 */
export function serverAnswerFor(error: unknown, network: NetworkClient | undefined): ServerErrorAnswer | undefined {
  const answer = network?.lastServerError
  if (!answer) return undefined
  const inner = isEntraToolError(error) ? error.cause : error
  if (!isMsalLikeError(inner)) return undefined
  if (inner.errorCode === 'post_request_failed') return answer.devicePoll && answer.error === inner.errorMessage?.trim() ? answer : undefined
  if (METADATA_FAILURES.has(inner.errorCode) && !network?.lastFailure && network?.lastStatus?.url === answer.url) return answer
  return undefined
}
