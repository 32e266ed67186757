import type {TokenResult} from '../flows/contract.js'
import type {Profile} from '../profiles/profile.js'
import type {SettingFlags} from '../settings/resolve.js'

/** What a caller asks the token service for: the settings' flags plus how the caches may be used. */
export interface TokenRequest extends SettingFlags {
  profile?: string
  /** Skip every cache and run the flow (a new sign-in for delegated flows). */
  force?: boolean
  /** Use the refresh token (delegated) or a new request (application) even if a token is cached. */
  refresh?: boolean
  /**
   * Why no one can answer a prompt or a browser (kubectl's spec.interactive false, an az/azd-shaped
   * answer): a needed sign-in fails fast, naming this reason.
   */
  nonInteractive?: string
  /** A person is at the terminal (stderr is a TTY): a refused refresh signs in again in the same call. */
  canPrompt?: boolean
  /** Scopes that depend on the profile (git's resource scope): used instead of `scope`, given the profile read once. */
  scopeFor?: (profile: Profile | undefined) => string[] | undefined
}

/** A token and where it came from: what every output format is rendered from. */
export interface TokenOutcome {
  token: TokenResult
  fromCache: boolean
  profile: string
  flow: string
}
