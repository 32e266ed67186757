import type {ProfileFields} from './profile-service.js'
import {checkClientId, checkName, checkTenant, splitScopes} from './validate.js'

/** Asks on the terminal (prompts on stderr) for what the flags did not give. */
export async function promptMissing(name: string | undefined, fields: ProfileFields): Promise<{name: string; fields: ProfileFields}> {
  const {input} = await import('@inquirer/prompts')
  const ask = (message: string, check: (v: string) => string | undefined, defaultValue?: string) =>
    input({default: defaultValue, message, validate: (v) => check(v.trim()) ?? true}, {output: process.stderr}).then((v) => v.trim())
  const out = {...fields}
  const profileName = name ?? (await ask('Profile name', checkName))
  out.tenantId ??= await ask('Tenant ID (GUID or domain)', checkTenant)
  out.clientId ??= await ask('Client ID (application GUID)', checkClientId)
  out.flow ??= (await ask('Default flow (interactive, device-code, client-credentials; empty for none)', () => undefined)) || undefined
  if (!out.scopes) {
    const scopes = splitScopes([await ask('Scopes (space-separated; empty for the default)', () => undefined)])
    out.scopes = scopes.length > 0 ? scopes : undefined
  }

  return {fields: out, name: profileName}
}
