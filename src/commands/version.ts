import {Flags} from '@oclif/core'

import {BaseCommand} from '../cli/base-command.js'
import {gitCommit, versionLine} from '../lib/build-info.js'

/** `version -o json`. */
export interface VersionInfo {
  arch: string
  commit: string | null
  name: string
  node: string
  platform: string
  version: string
}

export default class VersionCommand extends BaseCommand {
  static override description = 'Prints the version of entratool, the platform and Node.js, and the commit when run from a git checkout (the same line as --version and -v).'

  static override examples = [
    {command: '<%= config.bin %> version', description: 'The version line'},
    {command: '<%= config.bin %> version -o json | jq -r .version', description: 'The version alone, for a script'},
  ]

  static override flags = {
    output: Flags.string({char: 'o', default: 'text', description: 'Output format.', options: ['text', 'json']}),
  }

  async run(): Promise<VersionInfo | string> {
    const {flags} = await this.parse(VersionCommand)
    const {config} = this
    if (flags.output === 'json') {
      const info: VersionInfo = {arch: config.arch, commit: gitCommit(config.root) ?? null, name: config.name, node: process.version, platform: config.platform, version: config.version}
      await this.render({document: info, format: 'json'})
      return info
    }

    const line = versionLine(config.userAgent, config.root)
    await this.render({text: `${line}\n`})
    return line
  }
}
