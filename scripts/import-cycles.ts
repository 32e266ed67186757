/**
 * Fails when modules import each other in a circle, counting what import-x/no-cycle leaves out:
 * type-only imports and `await import()`. A type cycle costs nothing at run time, but it is the
 * same tangle of layers (issue 16), and a dynamic import is still a dependency.
 *
 *   node --import tsx scripts/import-cycles.ts [dir…]   (default: src plugins examples)
 */
import {readdirSync, readFileSync, statSync} from 'node:fs'
import {dirname, join, relative, resolve} from 'node:path'
import ts from 'typescript'

const ROOT = resolve(import.meta.dirname, '..')

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    if (name === 'node_modules' || name === 'dist') return []
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return sources(path)
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [path] : []
  })
}

/** The project file a relative specifier names: `./x.js` is written for `./x.ts`. */
function target(from: string, specifier: string, known: Set<string>): string | undefined {
  if (!specifier.startsWith('.')) return undefined
  const base = resolve(dirname(from), specifier)
  return [base.replace(/\.js$/, '.ts'), `${base}.ts`, join(base, 'index.ts')].find((candidate) => known.has(candidate))
}

/** Strongly connected components with more than one module, or a module importing itself (Tarjan). */
function cycles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const found: string[][] = []
  const visit = (node: string) => {
    index.set(node, index.size)
    low.set(node, index.get(node)!)
    stack.push(node)
    onStack.add(node)
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next)
        low.set(node, Math.min(low.get(node)!, low.get(next)!))
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!))
      }
    }

    if (low.get(node) !== index.get(node)) return
    const component: string[] = []
    let member: string
    do {
      member = stack.pop()!
      onStack.delete(member)
      component.push(member)
    } while (member !== node)
    if (component.length > 1 || graph.get(node)?.includes(node)) found.push(component.sort())
  }

  for (const node of graph.keys()) if (!index.has(node)) visit(node)
  return found
}

const dirs = process.argv.length > 2 ? process.argv.slice(2) : ['src', 'plugins', 'examples']
const files = dirs.flatMap((dir) => sources(resolve(ROOT, dir)))
const known = new Set(files)
const graph = new Map<string, string[]>()
for (const file of files) {
  const {importedFiles} = ts.preProcessFile(readFileSync(file, 'utf8'), true, true)
  graph.set(file, importedFiles.map((i) => target(file, i.fileName, known)).filter((t): t is string => t !== undefined))
}

const found = cycles(graph)
for (const component of found) console.error(`import cycle: ${component.map((f) => relative(ROOT, f)).join(' ↔ ')}`)
if (found.length > 0) process.exitCode = 1
else console.log(`no import cycles among ${files.length} modules`)
