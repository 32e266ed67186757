import {Flags} from '@oclif/core'

import {BaseCommand} from '../cli/base-command.js'
import {table} from '../cli/render.js'
import {discoverFlows, type FlowCatalog} from '../flows/registry.js'

export default class FlowsCommand extends BaseCommand {
  static override description = 'Lists the flows installed, which plugin provides each, and what each needs. Plugins that failed to load are listed too.'

  static override examples = [
    {command: '<%= config.bin %> flows', description: 'Show installed flows'},
    {command: '<%= config.bin %> flows -o json | jq -r ".flows[].id"', description: 'Flow ids for a script'},
  ]

  static override flags = {
    output: Flags.string({char: 'o', default: 'table', description: 'Output format.', options: ['table', 'json']}),
  }

  async run(): Promise<FlowCatalog> {
    const {flags} = await this.parse(FlowsCommand)
    const discovery = await discoverFlows(this.config)
    const {flows, problems} = discovery
    if (flags.output === 'json') {
      const doc = {
        flows: flows.map((f) => ({aliases: f.aliases ?? [], id: f.id, kind: f.kind, needs: f.needs, plugin: f.plugin, summary: f.summary})),
        problems,
      }
      await this.render({document: doc, format: 'json'})
      return discovery
    }

    const rows = flows.map((f) => [f.id, (f.aliases ?? []).join(', '), f.kind, f.plugin])
    const details = flows.map((f) => `\n${f.id}: ${f.summary}\n  needs: ${f.needs.join('; ')}\n`)
    await this.render({text: table(['FLOW', 'ALIASES', 'KIND', 'PLUGIN'], rows) + details.join('')})
    for (const p of problems) this.ui.warn(`plugin ${p.plugin}: ${p.problem}`)
    return discovery
  }
}
