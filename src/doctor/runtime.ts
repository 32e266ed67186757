import {type CheckResult, fail, ok} from './check.js'

/** What `engines.node` in package.json promises (>=20.19). */
const MINIMUM = [20, 19] as const

/** entratool's version and the Node.js running it. */
export function runtimeCheck(version: string, nodeVersion = process.version, platform = `${process.platform} ${process.arch}`): CheckResult {
  const [major, minor] = nodeVersion.replace(/^v/, '').split('.').map(Number)
  const detail = `entratool ${version}, Node.js ${nodeVersion} (${platform})`
  if (major < MINIMUM[0] || (major === MINIMUM[0] && minor < MINIMUM[1])) {
    return fail('version', `${detail}: entratool needs Node.js ${MINIMUM.join('.')} or later`, 'install Node.js 20.19 or later (the current LTS is best), then run entratool again')
  }

  return ok('version', detail)
}
