import {Flags} from '@oclif/core'

import {BaseCommand} from '../cli/base-command.js'
import {gitCommit, versionLine} from '../lib/build-info.js'

export default class VersionCommand extends BaseCommand {
  static description = 'Prints the version of entratool, the platform and Node.js, and the commit when run from a git checkout (the same line as --version and -v).'

  static examples = [
    {command: '<%= config.bin %> version', description: 'The version line'},
    {command: '<%= config.bin %> version -o json | jq -r .version', description: 'The version alone, for a script'},
  ]

  static flags = {
    output: Flags.string({char: 'o', default: 'text', description: 'Output format.', options: ['text', 'json']}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(VersionCommand)
    const {config} = this
    if (flags.output === 'json') {
      const doc = {arch: config.arch, commit: gitCommit(config.root) ?? null, name: config.name, node: process.version, platform: config.platform, version: config.version}
      process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`)
      return
    }

    process.stdout.write(`${versionLine(config.userAgent, config.root)}\n`)
  }
}
