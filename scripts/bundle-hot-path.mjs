// Part of `npm run build`, after tsc: bundles what bin/run.js runs before oclif (get-token and
// refresh, and git-credential's answer from the token cache) into dist/hot/. Without a compile cache
// (Node 20) every ES module costs a resolution, a file read and a compile: the cached-token path is
// ~30 small modules, and MSAL alone ~250 files (~250 ms here, ~55 ms as one file). The modules stay
// the single source: this is the same code, packed.
// - Code splitting keeps lazy what is imported lazily: a cached token loads the entry and its shared
//   chunks only; the flow runner and MSAL load, as chunks, when a token must be requested.
// - MSAL (@azure/msal-node, @azure/msal-common) and the profile lock (proper-lockfile, with retry and
//   signal-exit) are bundled into those chunks; every other package stays an import from node_modules.
//   proper-lockfile's graceful-fs is node:fs here: it only queues retries of EMFILE for programs
//   with thousands of open files, and loading it (it clones and patches fs, and pulls in assert)
//   cost ~5 MiB and ~10 ms of every token request.
// - The bundled flow plugins' flows hooks (their descriptors) and the flows they load are packed in
//   too: dist/flows/bundled-flow-hooks.js is generated here from package.json's bundled plugins and
//   each one's oclif.hooks, exactly what built-in-hooks.ts reads at run time without it. Importing
//   the four tiny hook modules one file at a time cost ~20 ms of every token request here. msal-node's top-level `import jwt from 'jsonwebtoken'` (~60 ms,
//   used only to sign a certificate's client assertion) becomes a require at the moment of signing.
import {build} from 'esbuild'
import {readFileSync, rmSync} from 'node:fs'
import {builtinModules} from 'node:module'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const outdir = join(root, 'dist', 'hot')
// Chunk names carry a content hash: an old build's chunks must not linger beside the new ones.
rmSync(outdir, {force: true, recursive: true})

const BUNDLED_PACKAGES = /^(@azure\/msal-(node|common)|proper-lockfile|retry|signal-exit)(\/|$)/
const builtins = new Set(builtinModules)

const FLOWS_HOOK = 'entratool:flows'
const own = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
const bundledPlugins = (own.oclif?.plugins ?? []).filter((plugin) => (own.bundleDependencies ?? []).includes(plugin))
const flowHookFiles = bundledPlugins.flatMap((plugin) => {
  const dir = join(root, 'node_modules', plugin)
  const hooks = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).oclif?.hooks?.[FLOWS_HOOK] ?? []
  return [hooks].flat().map((file) => ({file: join(dir, file), plugin}))
})
const BUNDLED_FLOW_HOOKS = `${flowHookFiles.map(({file}, i) => `import hook${i} from ${JSON.stringify(file)}`).join('\n')}
export const bundledFlowHooks = [${flowHookFiles.map(({plugin}, i) => `{hook: hook${i}, plugin: ${JSON.stringify(plugin)}}`).join(', ')}]
`

const LAZY_JWT = `import {createRequire} from 'node:module'
// Resolved from msal-node's own folder, where npm installed its jsonwebtoken.
const fromMsal = createRequire(createRequire(import.meta.url).resolve('@azure/msal-node'))
export default {sign: (...args) => fromMsal('jsonwebtoken').sign(...args)}
`

await build({
  bundle: true,
  chunkNames: 'chunk-[hash]',
  entryPoints: {'git-fast-path': join(root, 'dist', 'git', 'fast-path.js'), 'token-command': join(root, 'dist', 'token-command.js')},
  // Bundled CommonJS (proper-lockfile) requires Node's own modules.
  banner: {js: "import {createRequire as __entratoolRequire} from 'node:module'; const require = __entratoolRequire(import.meta.url);"},
  format: 'esm',
  // Less to parse and compile on every cold call (MSAL: 510 KB → ~210 KB). Names are not kept
  // (esbuild's keepNames cost ~5 ms of every cold call here): every error class sets its `name`
  // itself, and the stack traces --debug prints come from the unbundled dist/, as --debug runs
  // through oclif.
  logLevel: 'warning',
  minify: true,
  outdir,
  platform: 'node',
  plugins: [
    {
      name: 'packages-external-but-msal',
      setup(b) {
        b.onResolve({filter: /^[^./]/}, (args) => {
          if (args.path === 'jsonwebtoken' && args.importer.includes('msal-node')) return {namespace: 'lazy-jwt', path: 'jsonwebtoken'}
          if (args.path === 'graceful-fs' && args.importer.includes('proper-lockfile')) return {external: true, path: 'node:fs'}
          if (BUNDLED_PACKAGES.test(args.path) || args.path.startsWith('node:') || builtins.has(args.path)) return undefined
          return {external: true, path: args.path}
        })
        b.onLoad({filter: /.*/, namespace: 'lazy-jwt'}, () => ({contents: LAZY_JWT, loader: 'js', resolveDir: root}))
        b.onLoad({filter: /[/\\]dist[/\\]flows[/\\]bundled-flow-hooks\.js$/}, () => ({contents: BUNDLED_FLOW_HOOKS, loader: 'js', resolveDir: root}))
      },
    },
  ],
  splitting: true,
  target: 'node20',
})
