import {readFile} from 'node:fs/promises'

import {configError, usageError} from '../errors.js'
import {readStdin} from '../lib/stdin.js'
import type {ProfileService} from '../profiles/profile-service.js'
import {profileName} from '../settings/resolve.js'
import {TokenRecords} from './token-records.js'

export interface TokenSource {
  /** The token itself, or `-` for stdin. */
  arg?: string
  file?: string
  /** A profile whose cached token is read (and never printed). */
  profile?: string
}

/** The JWT `inspect` reads: an argument, stdin, a file, or a profile's cached token. */
export async function readToken(source: TokenSource, profiles: ProfileService, stdin: NodeJS.ReadableStream & {isTTY?: boolean} = process.stdin): Promise<string> {
  const {arg, file, profile} = source
  if ([arg, file, profile].filter((v) => v !== undefined).length > 1) throw usageError('give the token one way: an argument, -, --file or --profile')
  if (file !== undefined) {
    try {
      return await readFile(file, 'utf8')
    } catch (error) {
      throw usageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`)
    }
  }

  if (arg !== undefined && arg !== '-') return arg
  if (arg === '-' || (profile === undefined && !stdin.isTTY)) {
    return readStdin(stdin)
  }

  const name = profileName(profile, process.env, profiles.store.read().defaultProfile)
  await profiles.store.get(name)
  const latest = await new TokenRecords((await profiles.openStorage()).blobs, name).latest()
  if (!latest) throw configError(`profile '${name}' has no cached token`, {next: `get one with \`entratool get-token --profile ${name}\``})
  return latest.accessToken
}
