import {Flags} from '@oclif/core'

import {discoverFlows} from '../flows/registry.js'
import {BaseCommand} from '../cli/base-command.js'
import {table} from '../cli/render.js'

export default class FlowsCommand extends BaseCommand {
  static description = 'Lists the flows installed, which plugin provides each, and what each needs. Plugins that failed to load are listed too.'

  static examples = [
    {command: '<%= config.bin %> flows', description: 'Show installed flows'},
    {command: '<%= config.bin %> flows -o json | jq -r ".flows[].id"', description: 'Flow ids for a script'},
  ]

  static flags = {
    output: Flags.string({char: 'o', default: 'table', description: 'Output format.', options: ['table', 'json']}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(FlowsCommand)
    const {flows, problems} = await discoverFlows(this.config)
    if (flags.output === 'json') {
      const doc = {
        flows: flows.map((f) => ({aliases: f.aliases ?? [], id: f.id, kind: f.kind, needs: f.needs, plugin: f.plugin, summary: f.summary})),
        problems,
      }
      process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`)
      return
    }

    const rows = flows.map((f) => [f.id, (f.aliases ?? []).join(', '), f.kind, f.plugin])
    process.stdout.write(table(['FLOW', 'ALIASES', 'KIND', 'PLUGIN'], rows))
    for (const f of flows) process.stdout.write(`\n${f.id}: ${f.summary}\n  needs: ${f.needs.join('; ')}\n`)
    for (const p of problems) this.ui.warn(`plugin ${p.plugin}: ${p.problem}`)
  }
}
