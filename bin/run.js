#!/usr/bin/env node
import module from 'node:module'

// Caches compiled code between runs (Node >= 22.1); entratool is called before every request.
module.enableCompileCache?.()

// A cached token (get-token, git-credential) is served before oclif loads, from one bundled file
// (scripts/bundle-hot-path.mjs); anything else goes through oclif unchanged.
const args = process.argv.slice(2)
const served =
  (args[0] === 'get-token' && (await (await import('../dist/hot/fast-path.js')).tryFastGetToken(args))) ||
  (args[0] === 'git-credential' && (await (await import('../dist/hot/git-fast-path.js')).tryFastGitCredential(args)))
if (!served) {
  const {execute} = await import('@oclif/core')
  await execute({dir: import.meta.url})
  // The command has reported and saved everything; MSAL's device-code polling sleeps a whole
  // interval before it notices a cancel, and must not hold the shell for it.
  process.exit()
}
