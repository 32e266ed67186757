import {EXIT_CODES} from '../errors.js'

/** How long a second chance Ctrl+C gets before the process ends without cleaning up. */
const FORCED_EXIT_MS = 3000

const epipeIgnored = new WeakSet<NodeJS.EventEmitter>()

/**
 * A reader that went away (`… 2>&1 | head -1`) must not turn the command's exit code into 1. The
 * listener stays for the life of the process: an error report written at the end fails with EPIPE
 * only later, asynchronously. One listener per stream, however many commands run.
 */
export function ignoreEpipe(stream: NodeJS.EventEmitter): void {
  if (epipeIgnored.has(stream)) return
  epipeIgnored.add(stream)
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error
  })
}

/**
 * Ctrl+C aborts `abort` (requests in flight end, the command reports "Interrupted.", exit 130); a
 * second Ctrl+C, or 3 s without an end, exits at once. Returns what takes the handlers off again.
 */
export function interruptOnSigint(abort: AbortController): () => void {
  const forced = () => process.exit(EXIT_CODES.interrupted)
  const interrupted = () => {
    abort.abort()
    setTimeout(forced, FORCED_EXIT_MS).unref()
    process.once('SIGINT', forced)
  }

  process.once('SIGINT', interrupted)
  return () => process.off('SIGINT', interrupted).off('SIGINT', forced)
}
