import {usageError} from '../errors.js'
import {decodeClaims} from './resolve.js'

/** One challenge of a WWW-Authenticate header: its scheme and auth-params (names lower-cased). */
export interface Challenge {
  scheme: string
  params: Record<string, string>
}

/**
 * Parses a WWW-Authenticate header (RFC 9110 §11.6.1): challenges separated by commas, each a
 * scheme then `name=value` or `name="quoted value"` parameters. Lenient about spacing, strict about
 * quotes. A leading `WWW-Authenticate:` (copied with the header) is ignored.
 */
export function parseChallenges(header: string): Challenge[] {
  const text = header.trim().replace(/^www-authenticate\s*:\s*/i, '')
  const challenges: Challenge[] = []
  let i = 0
  const skip = (pattern: RegExp) => {
    while (i < text.length && pattern.test(text[i])) i++
  }

  while (i < text.length) {
    skip(/[\s,]/)
    const scheme = /^[!#$%&'*+.^`|~\w-]+/.exec(text.slice(i))?.[0]
    if (!scheme) break
    i += scheme.length
    const challenge: Challenge = {params: {}, scheme}
    challenges.push(challenge)
    for (;;) {
      const start = i
      skip(/[\s,]/)
      const name = /^[!#$%&'*+.^`|~\w-]+(?=\s*=)/.exec(text.slice(i))?.[0]
      if (!name) {
        // A token68 right after the scheme (`Negotiate abc==`), else the next challenge's scheme.
        const token68 = /^[\w.~+/-]+=*(?=\s*(,|$))/.exec(text.slice(i))?.[0]
        if (token68 && Object.keys(challenge.params).length === 0 && !text.slice(start, i).includes(',')) i += token68.length
        else i = start
        break
      }

      i += name.length
      skip(/\s/)
      i++ // '='
      skip(/\s/)
      let value = ''
      if (text[i] === '"') {
        i++
        while (i < text.length && text[i] !== '"') {
          if (text[i] === '\\') i++
          value += text[i] ?? ''
          i++
        }

        if (text[i] !== '"') throw usageError('--www-authenticate has an unterminated quoted value', {next: 'pass the header value exactly as the resource returned it, in single quotes'})
        i++
      } else {
        value = /^[^\s,]*/.exec(text.slice(i))![0]
        i += value.length
      }

      challenge.params[name.toLowerCase()] = value
    }
  }

  return challenges
}

/**
 * The claims challenge (JSON) of a resource's 401 `WWW-Authenticate` header: a Bearer challenge's
 * `claims` parameter (base64 of JSON), sent with `error="insufficient_claims"` for CAE and with
 * `error="invalid_token"` for a step-up.
 */
export function claimsFromWwwAuthenticate(header: string): string {
  const bearer = parseChallenges(header).filter((c) => c.scheme.toLowerCase() === 'bearer')
  const claims = bearer.find((c) => c.params.claims)?.params.claims
  if (!claims) {
    const error = bearer.find((c) => c.params.error)?.params.error
    throw usageError(`--www-authenticate holds no claims challenge${error ? ` (error="${error}")` : bearer.length === 0 ? ' (no Bearer challenge)' : ''}`, {
      next: error === 'invalid_token' ? 'the token was refused without a challenge: get a new one with `entratool get-token --force`' : 'pass the WWW-Authenticate header of a 401 answer that carries claims="…"',
    })
  }

  return decodeClaims(claims)
}
