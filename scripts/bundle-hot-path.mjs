// Part of `npm run build`, after tsc: bundles what bin/run.js tries before oclif (get-token's and
// git-credential's answers from the token cache) into dist/hot/. Without a compile cache (Node 20)
// every ES module costs a resolution, a file read and a compile; the cached-token path is ~30 small
// modules, and one bundle cuts that cost to one file. The modules stay the single source: this is
// the same code, packed. Dynamic imports (MSAL, the flow runner, the keychain, a backend switch)
// stay lazy and point at the unbundled modules in dist/, and packages stay imports from node_modules.
import {build} from 'esbuild'
import {rmSync} from 'node:fs'
import {dirname, join, relative, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const outdir = join(root, 'dist', 'hot')
// Chunk names carry a content hash: an old build's chunks must not linger beside the new ones.
rmSync(outdir, {force: true, recursive: true})

await build({
  bundle: true,
  entryPoints: {'fast-path': join(root, 'dist', 'fast-path.js'), 'git-fast-path': join(root, 'dist', 'git', 'fast-path.js')},
  format: 'esm',
  logLevel: 'warning',
  outdir,
  packages: 'external',
  platform: 'node',
  plugins: [
    {
      name: 'lazy-imports-stay-lazy',
      setup(b) {
        b.onResolve({filter: /^\./}, (args) => {
          if (args.kind !== 'dynamic-import') return undefined
          const path = relative(outdir, resolve(args.resolveDir, args.path)).replaceAll('\\', '/')
          return {external: true, path: path.startsWith('.') ? path : `./${path}`}
        })
      },
    },
  ],
  splitting: true,
  target: 'node20',
})
