import type {Interfaces} from '@oclif/core'

import {configError} from '../errors.js'
import {declarationProblem} from '../settings/flow-options.js'
import {FLOW_CONTRACT_VERSION, FLOWS_HOOK, type FlowDescriptor, type FlowOption} from './contract.js'

export interface FlowEntry extends FlowDescriptor {
  /** The npm name of the plugin that provides the flow. */
  plugin: string
}

export interface FlowProblem {
  plugin: string
  problem: string
}

export interface FlowCatalog {
  flows: FlowEntry[]
  problems: FlowProblem[]
}

/**
 * Asks every plugin for its flows. A plugin that throws, returns junk or was built for another
 * contract version is reported, never fatal to the others. Results are sorted: runHook answers in
 * completion order.
 */
export async function discoverFlows(config: Pick<Interfaces.Config, 'runHook'>): Promise<FlowCatalog> {
  const result = await config.runHook(FLOWS_HOOK, {contractVersion: FLOW_CONTRACT_VERSION}, 5000, true)
  const flows: FlowEntry[] = []
  const problems: FlowProblem[] = result.failures.map(({error, plugin}) => ({plugin: plugin.name, problem: `its flows hook failed: ${error.message}`}))
  const seen = new Map<string, string>()
  const options = new Map<string, FlowOption>()
  // In plugin order, not completion order: which of two clashing declarations wins must not vary.
  const answers = [...result.successes].sort((a, b) => a.plugin.name.localeCompare(b.plugin.name))
  for (const {plugin, result: descriptors} of answers) {
    if (!Array.isArray(descriptors)) {
      problems.push({plugin: plugin.name, problem: 'its flows hook did not return a list of flows'})
      continue
    }

    for (const descriptor of descriptors) {
      const problem = checkDescriptor(descriptor, seen) ?? optionsProblem(descriptor, options)
      if (problem) problems.push({plugin: plugin.name, problem})
      else {
        seen.set(descriptor.id, plugin.name)
        for (const option of descriptor.options ?? []) options.set(option.name, option)
        flows.push({...descriptor, plugin: plugin.name})
      }
    }
  }

  flows.sort((a, b) => a.id.localeCompare(b.id))
  problems.sort((a, b) => a.plugin.localeCompare(b.plugin) || a.problem.localeCompare(b.problem))
  return {flows, problems}
}

function checkDescriptor(d: FlowDescriptor, seen: Map<string, string>): string | undefined {
  if (typeof d !== 'object' || d === null || typeof d.id !== 'string' || !/^[a-z][\da-z-]*$/.test(d.id)) return `a flow has an invalid id ${JSON.stringify(d?.id)}`
  if (d.contractVersion !== FLOW_CONTRACT_VERSION) {
    return `flow '${d.id}' was built for flow contract version ${d.contractVersion}, this entratool speaks version ${FLOW_CONTRACT_VERSION}; install a release of the plugin made for it`
  }

  if (d.kind !== 'application' && d.kind !== 'delegated') return `flow '${d.id}' has an invalid kind ${JSON.stringify(d.kind)}`
  if (typeof d.load !== 'function') return `flow '${d.id}' has no load()`
  if (seen.has(d.id)) return `flow '${d.id}' is already provided by ${seen.get(d.id)}`
  return undefined
}

function optionsProblem(d: FlowDescriptor, accepted: ReadonlyMap<string, FlowOption>): string | undefined {
  const problem = declarationProblem(d.options, accepted)
  if (problem) return `flow '${d.id}': ${problem}`
  return undefined
}

/** Every option the installed flows declare, each once (flows may share one). */
export function declaredOptions(catalog: FlowCatalog): FlowOption[] {
  const byName = new Map<string, FlowOption>()
  for (const flow of catalog.flows) for (const option of flow.options ?? []) if (!byName.has(option.name)) byName.set(option.name, option)
  return [...byName.values()]
}

/** Finds a flow by id or alias (aliases match without regard to case, as the original tool did). */
export function findFlow(catalog: FlowCatalog, name: string): FlowEntry {
  const lower = name.toLowerCase()
  const flow = catalog.flows.find((f) => f.id === lower || f.aliases?.some((a) => a.toLowerCase() === lower))
  if (flow) return flow
  const broken = catalog.problems.filter((p) => p.problem.includes(`'${name}'`))
  throw configError(`flow '${name}' is not installed${broken.length > 0 ? ` (${broken.map((b) => `${b.plugin}: ${b.problem}`).join('; ')})` : ''}`, {
    next: `installed flows: ${catalog.flows.map((f) => f.id).join(', ') || 'none'}; add one with \`entratool plugins install <package>\` (see \`entratool flows\`)`,
  })
}
