/**
 * Which az / azd invocations the shims answer from entratool, read from their argv exactly as the
 * SDK credentials and scripts pass them (INTEGRATIONS.md D). Anything not listed here is not ours:
 * undefined sends the whole command line, unchanged, to the real az / azd.
 */

/** The programs a shim stands in for. */
export type ShimTool = 'az' | 'azd'

/** az's default resource for get-access-token (Azure Resource Manager). */
export const AZ_DEFAULT_RESOURCE = 'https://management.core.windows.net/'
/** azd's default scope for auth token. */
export const AZD_DEFAULT_SCOPE = 'https://management.azure.com//.default'

/** az's --resource-type values, as az maps them for the public cloud. */
const AZ_RESOURCE_TYPES: Record<string, string> = {
  'aad-graph': 'https://graph.windows.net/',
  arm: 'https://management.core.windows.net/',
  batch: 'https://batch.core.windows.net/',
  'data-lake': 'https://datalake.azure.net/',
  media: 'https://rest.media.azure.net',
  'ms-graph': 'https://graph.microsoft.com/',
  'oss-rdbms': 'https://ossrdbms-aad.database.windows.net',
}

export type ShimRequest =
  | {kind: 'show'; output: Output; subscription?: string}
  | {claims?: string; kind: 'token'; output: Output; scopes: string[]; subscription?: string; tenant?: string}

/** json (jsonc is json in colour, which a pipe never gets), tsv, or none; `query` is a dotted field path. */
export interface Output {
  format: 'json' | 'none' | 'tsv'
  query?: string
}

const QUERY = /^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$/

/** az turns a resource into a scope by appending "/.default" (so ARM's becomes "…net//.default"). */
export function resourceScope(resource: string): string {
  return `${resource}/.default`
}

/** Reads `az account get-access-token …` or `az account show …`; undefined for anything else. */
export function parseAz(argv: readonly string[]): ShimRequest | undefined {
  const [group, command, ...rest] = argv
  if (group !== 'account' || (command !== 'get-access-token' && command !== 'show')) return undefined
  const output: Output = {format: 'json'}
  const scopes: string[] = []
  let resource: string | undefined
  let subscription: string | undefined
  let tenant: string | undefined
  for (let i = 0; i < rest.length; i++) {
    const [name, inline] = splitInline(rest[i])
    if (name === '--only-show-errors') {
      if (inline !== undefined) return undefined
      continue
    }

    // az's --scope takes one or more values up to the next option.
    if (name === '--scope' && command === 'get-access-token') {
      const values = inline === undefined ? takeValues(rest, i + 1) : [inline]
      if (values.length === 0) return undefined
      scopes.push(...values)
      if (inline === undefined) i += values.length
      continue
    }

    const value = inline ?? rest[++i]
    if (value === undefined || (inline === undefined && value.startsWith('-'))) return undefined
    if (name === '--output' || name === '-o') {
      if (value === 'json' || value === 'jsonc') output.format = 'json'
      else if (value === 'tsv' || value === 'none') output.format = value
      else return undefined
    } else if (name === '--query') {
      if (!QUERY.test(value)) return undefined
      output.query = value
    } else if (command === 'get-access-token' && name === '--resource') {
      resource = value
    } else if (command === 'get-access-token' && name === '--resource-type') {
      resource = AZ_RESOURCE_TYPES[value]
      if (!resource) return undefined
    } else if (command === 'get-access-token' && (name === '--tenant' || name === '-t')) {
      tenant = value
    } else if (name === '--subscription' || (command === 'show' && (name === '-s' || name === '--name' || name === '-n'))) {
      subscription = value
    } else {
      return undefined
    }
  }

  if (command === 'show') return tenant === undefined ? {kind: 'show', output, subscription} : undefined
  // az refuses --resource with --scope; so does the shim, by leaving it to az to say so.
  if (resource !== undefined && scopes.length > 0) return undefined
  return {kind: 'token', output, scopes: scopes.length > 0 ? scopes : [resourceScope(resource ?? AZ_DEFAULT_RESOURCE)], subscription, tenant}
}

/** Reads `azd auth token …`; undefined for anything else. */
export function parseAzd(argv: readonly string[]): ShimRequest | undefined {
  const [group, command, ...rest] = argv
  if (group !== 'auth' || command !== 'token') return undefined
  const scopes: string[] = []
  let claims: string | undefined
  let tenant: string | undefined
  for (let i = 0; i < rest.length; i++) {
    const [name, inline] = splitInline(rest[i])
    if (name === '--no-prompt') {
      if (inline !== undefined && inline !== 'true') return undefined
      continue
    }

    const value = inline ?? rest[++i]
    if (value === undefined || (inline === undefined && value.startsWith('-'))) return undefined
    if (name === '--output' || name === '-o') {
      if (value !== 'json') return undefined
    } else if (name === '--scope') {
      scopes.push(value)
    } else if (name === '--tenant-id') {
      tenant = value
    } else if (name === '--claims') {
      claims = value
    } else {
      return undefined
    }
  }

  return {claims, kind: 'token', output: {format: 'json'}, scopes: scopes.length > 0 ? scopes : [AZD_DEFAULT_SCOPE], tenant}
}

function splitInline(arg: string): [string, string | undefined] {
  const eq = arg.indexOf('=')
  return arg.startsWith('--') && eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, undefined]
}

function takeValues(args: readonly string[], from: number): string[] {
  const values: string[] = []
  for (let i = from; i < args.length && !args[i].startsWith('-'); i++) values.push(args[i])
  return values
}

/** Applies `--query` and `--output` as az does for a single object. */
export function renderOutput(doc: Record<string, unknown>, output: Output): string {
  let value: unknown = doc
  if (output.query) {
    for (const key of output.query.split('.')) value = value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined
  }

  if (output.format === 'none') return ''
  if (output.format === 'json') return value === undefined ? '' : `${JSON.stringify(value, null, 2)}\n`
  if (value === undefined || value === null) return ''
  if (typeof value === 'boolean') return value ? 'True\n' : 'False\n'
  if (typeof value === 'object') return `${Object.values(value).filter((v) => typeof v !== 'object').join('\t')}\n`
  return `${value}\n`
}
