#!/usr/bin/env node
import module from 'node:module'

// Caches compiled code between runs (Node >= 22.1); entratool is called before every request.
module.enableCompileCache?.()

// get-token and refresh run without oclif when only the build's own plugins could answer, and a
// cached git credential is answered before oclif loads, from bundled files
// (scripts/bundle-hot-path.mjs); anything else, or anything those decline, goes through oclif.
const args = process.argv.slice(2)
const direct = (args[0] === 'get-token' || args[0] === 'refresh') && (await (await import('../dist/hot/token-command.js')).runTokenCommand(args))
const served = direct || (args[0] === 'git-credential' && (await (await import('../dist/hot/git-fast-path.js')).tryFastGitCredential(args)))
if (!served) {
  const {execute} = await import('@oclif/core')
  await execute({dir: import.meta.url})
}

// The command has reported and saved everything; MSAL's device-code polling sleeps a whole
// interval before it notices a cancel, and an idle connection may linger: neither may hold the shell.
if (direct || !served) process.exit()
