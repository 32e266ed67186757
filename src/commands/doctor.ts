import {Flags} from '@oclif/core'

import {BaseCommand} from '../cli/base-command.js'
import type {CheckResult} from '../doctor/check.js'
import {type DoctorReport, runDoctor} from '../doctor/doctor-service.js'
import {usageError} from '../errors.js'
import {profileFlag} from '../lib/flags.js'
import {checkName} from '../profiles/validate.js'

const MARK: Record<CheckResult['status'], string> = {fail: '✗', ok: '✓', warn: '!'}

export default class Doctor extends BaseCommand {
  static override description =
    "Checks and explains the setup: version and Node.js, the config, data and cache directories and their permissions, the storage backend and why it was chosen (D-Bus, Secret Service), the CA file and proxy for a profile's authority, the authority's reachability and clock skew, and the flow plugins. Exits 0 when healthy, 1 with the first problem and its fix."

  static override examples = [
    {command: '<%= config.bin %> doctor', description: 'Check everything, with the default profile'},
    {command: '<%= config.bin %> doctor -p work', description: "Check the 'work' profile's authority, CA file and proxy"},
    {command: '<%= config.bin %> doctor -o json | jq -r \'.checks[] | select(.status != "ok") | .fix\'', description: 'Only the fixes, for a script'},
  ]

  static override flags = {
    output: Flags.string({char: 'o', default: 'text', description: 'Output format.', options: ['text', 'json']}),
    profile: profileFlag,
  }

  async run(): Promise<DoctorReport> {
    const {flags} = await this.parse(Doctor)
    const badName = flags.profile === undefined ? undefined : checkName(flags.profile)
    if (badName) throw usageError(badName, {next: 'pass -p with the name of a profile (`entratool list-profiles`)'})
    const report = await runDoctor(this.config, this.io.env, {profile: flags.profile})
    if (flags.output === 'json') {
      const checks = report.checks.map((c) => ({detail: c.detail, fix: c.fix ?? null, name: c.name, status: c.status}))
      await this.render({document: {checks, healthy: report.healthy, problem: report.problem ? checks[report.checks.indexOf(report.problem)] : null}, format: 'json'})
    } else {
      await this.render({text: report.checks.map((c) => `${MARK[c.status]} ${c.name}: ${c.detail}\n${c.fix ? `    → ${c.fix}\n` : ''}`).join('')})
    }

    if (report.problem) {
      this.ui.error(`Error: ${report.problem.name}: ${report.problem.detail}`)
      this.ui.instruct(`→ ${report.problem.fix}`)
      this.io.setExitCode(1)
    }

    return report
  }
}
