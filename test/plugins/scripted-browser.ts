import {get} from 'node:http'

import type {OpenOutcome} from '../../plugins/flow-interactive/src/browser-opener.js'
import {emulatorRequest} from '../emulator/http-client.js'
import {DEFAULT_USER, type Emulator} from '../emulator/index.js'

export interface Visit {
  body: string
  location?: string
  status: number
  url: string
}

export interface ScriptedSignIn {
  action: 'cancel' | 'signin'
  /** Rewrites the identity provider's redirect before the browser follows it (a forged callback). */
  tamper?: (callback: URL) => void
}

/**
 * Stands in for the system browser: submits the emulator's sign-in form for the authorize URL it
 * is given, then follows the redirects on the loopback server as a browser would.
 */
export class ScriptedBrowser {
  /** The authorize URLs reached (through the one-time launch address the flow gave). */
  readonly authorizeUrls: string[] = []
  /** What the flow started the browser with: the one-time loopback address, never the authorize URL. */
  readonly launchUrls: string[] = []
  /** Every loopback page the browser loaded, in order. */
  readonly visits: Visit[] = []
  private navigation: Promise<void> = Promise.resolve()

  constructor(
    private readonly emu: Emulator,
    private readonly script: ScriptedSignIn,
    private readonly outcome: OpenOutcome = 'opened',
  ) {}

  /** Resolves when the last page has loaded; rejects when navigation broke. */
  finished(): Promise<void> {
    return this.navigation
  }

  readonly openBrowser = async (url: string): Promise<OpenOutcome> => {
    this.launchUrls.push(url)
    this.navigation = this.launch(url)
    // Like a real browser, loading pages goes on after the launcher returned.
    this.navigation.catch(() => {})
    return this.outcome
  }

  /** Loads the one-time launch address and follows its redirect to the sign-in page. */
  async launch(url: string): Promise<void> {
    const hop = await load(url)
    if (hop.status !== 302 || !hop.location) throw new Error(`the launch address ${url} answered ${hop.status}, not a redirect`)
    await this.navigate(hop.location)
  }

  async navigate(authorizeUrl: string): Promise<void> {
    this.authorizeUrls.push(authorizeUrl)
    const form: Record<string, string> = this.script.action === 'cancel' ? {action: 'cancel'} : {action: 'signin', password: DEFAULT_USER.password, username: DEFAULT_USER.username}
    const answer = await emulatorRequest(this.emu, 'POST', authorizeUrl, {form})
    const location = answer.headers.location
    if (answer.status !== 302 || typeof location !== 'string') throw new Error(`sign-in answered ${answer.status}: ${answer.text.slice(0, 300)}`)
    const callback = new URL(location)
    this.script.tamper?.(callback)

    let next: string | undefined = callback.toString()
    for (let hops = 0; next && hops < 5; hops++) {
      const visit = await load(next)
      this.visits.push(visit)
      next = visit.location ? new URL(visit.location, next).toString() : undefined
    }
  }
}

function load(url: string): Promise<Visit> {
  return new Promise((resolve, reject) => {
    get(url, {agent: false}, (response) => {
      let body = ''
      response.setEncoding('utf8')
      response.on('data', (chunk: string) => {
        body += chunk
      })
      response.on('end', () => resolve({body, location: response.headers.location, status: response.statusCode ?? 0, url}))
    }).on('error', reject)
  })
}
