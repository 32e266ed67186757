#!/usr/bin/env node
import module from 'node:module'

// Caches compiled code between runs (Node >= 22.1); entratool is called before every request.
module.enableCompileCache?.()

const {execute} = await import('@oclif/core')
await execute({dir: import.meta.url})
