import {usageError} from '../errors.js'
import {readStdin} from '../lib/stdin.js'

const MAX_SECRET_BYTES = 16 * 1024

/**
 * Reads a secret from stdin: the whole input without its trailing newline. Refuses empty and
 * oversized input (a pasted file by mistake) rather than storing it.
 */
export async function readSecretFromStdin(what: string, stdin: NodeJS.ReadableStream & {isTTY?: boolean} = process.stdin): Promise<string> {
  if (stdin.isTTY) {
    const {password} = await import('@inquirer/prompts')
    const value = await password({mask: '*', message: what}, {output: process.stderr})
    if (!value) throw usageError(`no ${what.toLowerCase()} was entered`)
    return value
  }

  const tooLarge = () => usageError(`the ${what.toLowerCase()} on stdin is larger than ${MAX_SECRET_BYTES / 1024} KB`, {next: 'pipe only the secret itself, e.g. printf %s "$SECRET" | …'})
  const value = (await readStdin(stdin, {bytes: MAX_SECRET_BYTES, tooLarge})).replace(/\r?\n$/, '')
  if (value.trim() === '') throw usageError(`stdin held no ${what.toLowerCase()}`, {next: 'pipe the secret in, e.g. printf %s "$SECRET" | entratool …'})
  return value
}
