/**
 * Rewrites the kubelogin exec entries of a kubeconfig into `entratool get-token … -o
 * exec-credential`, keeping everything else (comments, order, other users) as it was. Pure: the
 * profiles that exist and the environment come in, the new text and the plan go out.
 */
import {basename} from 'node:path'
import {isMap, isSeq, parseDocument, type YAMLMap} from 'yaml'

import {configError, usageError} from '../errors.js'
import type {Profile, ProfilesFile} from '../profiles/profile.js'
import {checkName} from '../profiles/validate.js'
import {type Identity, readKubelogin, sameIdentity} from './kubelogin.js'

export interface Converted {
  user: string
  profile: string
  created: boolean
  login: string
  delegated: boolean
  notes: string[]
}

export interface ConversionPlan {
  text: string
  converted: Converted[]
  skipped: Array<{user: string; reason: string}>
  /** Profiles to create before the new kubeconfig is written. */
  create: Profile[]
}

export interface ConvertOptions {
  context?: string
  /** Use this (existing) profile for every entry instead of one per identity. */
  profile?: string
  existing: ProfilesFile
  env: Readonly<Record<string, string | undefined>>
  now: string
}

const V1 = 'client.authentication.k8s.io/v1'
/** kubelogin's variables, some of which hold secrets: the new entry does not need them. */
const KUBELOGIN_ENV = /^(AAD_|AZURE_CLIENT_SECRET$|AZURE_CLIENT_CERTIFICATE_PASSWORD$)/

export function planConversion(source: string, options: ConvertOptions): ConversionPlan {
  const doc = parseDocument(source)
  if (doc.errors.length > 0) throw configError(`the kubeconfig is not valid YAML: ${doc.errors[0].message.split('\n')[0]}`, {next: 'fix the file (kubectl config view shows what kubectl reads); nothing was changed'})
  const users = doc.get('users')
  const plan: ConversionPlan = {converted: [], create: [], skipped: [], text: source}
  const only = options.context === undefined ? undefined : contextUser(doc.get('contexts'), options.context)
  if (!isSeq(users)) return plan
  const taken = new Set(Object.keys(options.existing.profiles).map((n) => n.toLowerCase()))
  const known: Array<{identity: Identity; name: string; scopes: string[]}> = Object.values(options.existing.profiles).map((p) => ({identity: p as unknown as Identity, name: p.name, scopes: p.scopes ?? []}))
  for (const item of users.items) {
    if (!isMap(item)) continue
    const user = String(item.get('name') ?? '')
    if (only !== undefined && user !== only) continue
    const exec = item.getIn(['user', 'exec'])
    if (!isMap(exec)) continue
    const command = String(exec.get('command') ?? '')
    if (basename(command).replace(/\.exe$/i, '') !== 'kubelogin') {
      if (basename(command) !== 'entratool') plan.skipped.push({reason: `runs ${command || 'no command'}, not kubelogin`, user})
      continue
    }

    const args = exec.get('args')
    const argv = isSeq(args) ? (args.toJSON() as unknown[]) : []
    if (!argv.every((a) => typeof a === 'string')) {
      plan.skipped.push({reason: 'has args that are not text', user})
      continue
    }

    const execEnv = execEnvironment(exec)
    const entry = readKubelogin(argv as string[], {...options.env, ...execEnv})
    if (typeof entry === 'string') {
      plan.skipped.push({reason: entry, user})
      continue
    }

    let target = options.profile ? known.find((k) => k.name === options.profile) : known.find((k) => sameIdentity(entry.identity, k.identity))
    let created = false
    if (!target) {
      const name = freeName(`kube-${user}`, taken)
      taken.add(name.toLowerCase())
      const profile: Profile = {...entry.identity, createdAt: options.now, name, scopes: [entry.scope], updatedAt: options.now}
      plan.create.push(profile)
      target = {identity: entry.identity, name, scopes: profile.scopes!}
      known.push(target)
      created = true
    }

    const sameScopes = target.scopes.length === 1 && target.scopes[0] === entry.scope
    exec.set('command', 'entratool')
    const newArgs = doc.createNode(['get-token', '--profile', target.name, ...(sameScopes ? [] : ['--scope', entry.scope]), '--output', 'exec-credential', '--silent'])
    newArgs.flow = isSeq(args) && Boolean(args.flow)
    exec.set('args', newArgs)
    if (exec.get('apiVersion') === V1 && !exec.has('interactiveMode')) exec.set('interactiveMode', 'IfAvailable')
    exec.set('installHint', `entratool converted this entry from kubelogin (kubeconfig convert); install entratool and sign in once with: entratool get-token --profile ${target.name}`)
    const dropped = dropKubeloginEnv(exec)
    const notes = options.profile ? [`uses your profile '${options.profile}' (-p) instead of kubelogin's -l ${entry.login} identity`] : [...entry.notes]
    if (dropped.length > 0) notes.push(`removed kubelogin's variables from the entry: ${dropped.join(', ')}`)
    const flow = (target.identity.flow ?? 'interactive') as string
    plan.converted.push({created, delegated: flow === 'interactive' || flow === 'device-code', login: entry.login, notes, profile: target.name, user})
  }

  if (only !== undefined && !users.items.some((item) => isMap(item) && String(item.get('name')) === only)) {
    throw usageError(`context '${options.context}' names user '${only}', which is not in the kubeconfig`)
  }

  // kubectl's own style: sequences not indented under their key, no padding in {…}, no folding.
  if (plan.converted.length > 0) plan.text = doc.toString({flowCollectionPadding: false, indentSeq: false, lineWidth: 0})
  return plan
}

function contextUser(contexts: unknown, name: string): string {
  const items = isSeq(contexts) ? contexts.items : []
  const match = items.find((item) => isMap(item) && item.get('name') === name) as YAMLMap | undefined
  const user = match?.getIn(['context', 'user'])
  if (typeof user !== 'string') {
    const names = items.filter((item) => isMap(item)).map((item) => String((item as YAMLMap).get('name')))
    throw usageError(`no context '${name}' in the kubeconfig`, {next: names.length > 0 ? `choose one of: ${names.join(', ')}` : 'the kubeconfig has no contexts'})
  }

  return user
}

function execEnvironment(exec: YAMLMap): Record<string, string> {
  const list = exec.get('env')
  const out: Record<string, string> = {}
  if (!isSeq(list)) return out
  for (const item of list.toJSON() as Array<{name?: unknown; value?: unknown}>) {
    if (typeof item?.name === 'string' && typeof item.value === 'string') out[item.name] = item.value
  }

  return out
}

function dropKubeloginEnv(exec: YAMLMap): string[] {
  const list = exec.get('env')
  if (!isSeq(list)) return []
  const dropped: string[] = []
  list.items = list.items.filter((item) => {
    const name = isMap(item) ? item.get('name') : undefined
    if (typeof name === 'string' && KUBELOGIN_ENV.test(name)) {
      dropped.push(name)
      return false
    }

    return true
  })
  if (list.items.length === 0) exec.set('env', null)
  return dropped
}

function freeName(wanted: string, taken: Set<string>): string {
  const base = wanted.replaceAll(/[^\w.-]+/g, '-').slice(0, 58).replace(/^[.-]+/, '') || 'kube'
  for (let n = 1; ; n++) {
    const name = n === 1 ? base : `${base}-${n}`
    if (!taken.has(name.toLowerCase()) && !checkName(name)) return name
  }
}
