import {X509Certificate} from 'node:crypto'
import {readFileSync} from 'node:fs'

import type {FlowOption} from '../flows/contract.js'
import {parseOptionText} from '../settings/flow-options.js'
import type {ProfileFields, SecretsInput} from './profile-service.js'
import {checkAuthority, checkClientId, checkName, checkScopes, checkTenant, CLOUD_HOSTS, splitScopes} from './validate.js'

/** What the prompts offer as flows: the flows installed (plugins included). */
export interface FlowChoice {
  id: string
  aliases?: readonly string[]
  /** The flow's declared options; those with a `prompt` are asked for when the flow is chosen. */
  options?: readonly FlowOption[]
  kind: 'application' | 'delegated'
  summary: string
}

export interface PromptContext {
  flows: readonly FlowChoice[]
  /** Profile names that exist; a clash is refused at the name prompt unless --force. */
  existing: readonly string[]
  force?: boolean
  /** Whether the flags already gave a secret, certificate, or federated token file. */
  hasCredential: boolean
}

const CUSTOM = '\u0000custom'
const NO_FLOW = ''

/**
 * Asks on the terminal (prompts on stderr) for what the flags did not give. Each answer is checked
 * where it is typed, with the same rules as the flags (validate.ts): a typo is asked again, and the
 * answers before it are kept.
 */
export async function promptMissing(name: string | undefined, fields: ProfileFields, context: PromptContext): Promise<{name: string; fields: ProfileFields; secrets: SecretsInput}> {
  const {input, password, select} = await import('@inquirer/prompts')
  const io = {output: process.stderr}
  const ask = (message: string, check: (v: string) => string | undefined, defaultValue?: string) =>
    input({default: defaultValue, message, validate: (v) => check(v.trim()) ?? true}, io).then((v) => v.trim())
  const out = {...fields}
  const secrets: SecretsInput = {}

  const taken = new Set(context.existing.map((n) => n.toLowerCase()))
  const profileName =
    name ??
    (await ask('Profile name', (v) => checkName(v) ?? (!context.force && taken.has(v.toLowerCase()) ? `profile '${v}' already exists: choose another name (or run again with --force to replace it)` : undefined)))
  out.tenantId ??= await ask('Tenant ID (GUID or domain)', checkTenant)
  out.clientId ??= await ask('Client ID (application GUID)', checkClientId)

  if (out.authority === undefined) {
    const cloud = await select(
      {
        choices: [
          {description: CLOUD_HOSTS.public, name: 'Public cloud (Microsoft Entra ID)', value: 'public'},
          {description: CLOUD_HOSTS.usgov, name: 'US Government', value: 'usgov'},
          {description: CLOUD_HOSTS.china, name: 'China (21Vianet)', value: 'china'},
          {description: 'any https authority: a B2C or CIAM tenant, a test emulator', name: 'Custom authority URL', value: CUSTOM},
        ],
        default: 'public',
        message: 'Cloud',
      },
      io,
    )
    if (cloud === CUSTOM) {
      out.authority = await ask('Authority URL (https://host[/tenant])', (v) => (v ? checkAuthority(v) : 'give an https URL'))
      if (out.caFile === undefined) out.caFile = (await ask("CA file for it (PEM; empty for the system's roots)", (v) => (v ? caFileProblem(v) : undefined))) || undefined
    } else if (cloud !== 'public') {
      out.authority = cloud
    }
  }

  if (out.flow === undefined) {
    const flow = await select(
      {
        choices: [
          ...context.flows.map((f) => ({description: f.summary, name: `${f.id} (${f.kind === 'delegated' ? 'signs a person in' : 'acts as the application'})`, value: f.id})),
          {description: 'get-token uses interactive unless --flow says otherwise', name: 'none: choose with --flow each time', value: NO_FLOW},
        ],
        default: context.flows.some((f) => f.id === 'interactive') ? 'interactive' : NO_FLOW,
        message: 'Default flow',
      },
      io,
    )
    out.flow = flow || undefined
  }

  const chosen = out.flow === undefined ? undefined : context.flows.find((f) => f.id === out.flow!.toLowerCase() || f.aliases?.some((a) => a.toLowerCase() === out.flow!.toLowerCase()))
  for (const option of chosen?.options ?? []) {
    if (!option.prompt || out.options?.[option.name] !== undefined) continue
    const answer = await ask(`${option.prompt} (empty to leave it unset)`, (v) => (v ? textProblem(option, v) : undefined))
    if (answer) out.options = {...out.options, [option.name]: parseOptionText(option, answer)}
  }

  if (out.flow === 'client-credentials' && !context.hasCredential) {
    const secret = await password({mask: '*', message: 'Client secret (hidden; empty to add one later with edit-profile --client-secret-stdin)'}, io)
    if (secret) secrets.clientSecret = secret
  }

  if (!out.scopes) {
    const scopes = splitScopes([await ask('Scopes (space-separated; empty for the default)', (v) => checkScopes(splitScopes([v])))])
    out.scopes = scopes.length > 0 ? scopes : undefined
  }

  return {fields: out, name: profileName, secrets}
}

function textProblem(option: FlowOption, text: string): string | undefined {
  try {
    parseOptionText(option, text)
    return undefined
  } catch (error) {
    return (error as Error).message
  }
}

function caFileProblem(path: string): string | undefined {
  let pem: string
  try {
    pem = readFileSync(path, 'utf8')
  } catch (error) {
    return `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`
  }

  const block = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem)?.[0]
  try {
    if (block) new X509Certificate(block)
    else return `${path} holds no PEM certificate`
  } catch {
    return `${path} holds no readable PEM certificate`
  }
  return undefined
}

/** delete-profile on a terminal: nothing is deleted unless the answer is yes. */
export async function confirmDelete(name: string): Promise<boolean> {
  const {confirm} = await import('@inquirer/prompts')
  return confirm({default: false, message: `Delete profile '${name}', its cached tokens and its stored secrets?`}, {output: process.stderr})
}
