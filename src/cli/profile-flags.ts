import {Flags} from '@oclif/core'

import type {FlowOption} from '../flows/contract.js'
import type {ProfileFields} from '../profiles/profile-service.js'
import {splitScopes} from '../profiles/validate.js'
import {optionsFromFlags} from '../settings/option-flags.js'

/**
 * The profile fields the core owns as flags, shared by create-profile and edit-profile. The
 * options flows declare are added to them when the command starts (hooks/init-flow-options.ts).
 */
export const profileFieldFlags = {
  cae: Flags.boolean({allowNo: true, description: 'Ask for CAE-capable tokens (client capability cp1): long-lived, revoked at once by the resource when needed.'}),
  authority: Flags.string({description: 'Cloud or authority: public (default), usgov, china, a host, or a full authority URL (B2C, CIAM, custom).'}),
  'ca-file': Flags.string({description: 'PEM file of extra CA certificates to trust for the authority (like ENTRATOOL_CA_FILE).', helpValue: '<path>'}),
  'certificate-password-stdin': Flags.boolean({description: 'Read the PFX password from stdin and keep it in secure storage.'}),
  'client-id': Flags.string({description: 'Application (client) id, a GUID.', helpValue: '<guid>'}),
  'client-secret-stdin': Flags.boolean({description: 'Read the client secret from stdin (never pass a secret as an argument) and keep it in secure storage.'}),
  default: Flags.boolean({description: 'Make this the default profile.'}),
  flow: Flags.string({char: 'f', description: 'Default flow for this profile (see `entratool flows`).', helpValue: '<flow>'}),
  scope: Flags.string({char: 's', description: 'Default scope(s); repeatable, space- or comma-separated.', multiple: true}),
  // --tenant too, as get-token spells it: the same word works on every command.
  'tenant-id': Flags.string({aliases: ['tenant'], description: 'Tenant: a GUID, a domain, common, organizations or consumers. Also --tenant.', helpValue: '<tenant>'}),
}

type FieldFlags = {
  [K in keyof typeof profileFieldFlags]?: unknown
} & Record<string, unknown>

/** The fields the parsed flags gave; `options` are the declared flow options' flags. */
export function fieldsFromFlags(flags: FieldFlags, options: readonly FlowOption[]): ProfileFields {
  const scopes = flags.scope ? splitScopes(flags.scope as string[]) : undefined
  return {
    authority: flags.authority as string | undefined,
    cae: flags.cae as boolean | undefined,
    caFile: flags['ca-file'] as string | undefined,
    clientId: flags['client-id'] as string | undefined,
    flow: flags.flow as string | undefined,
    options: optionsFromFlags(options, flags),
    scopes,
    tenantId: flags['tenant-id'] as string | undefined,
  }
}

/**
 * In a pod with Azure workload identity the platform sets AZURE_CLIENT_ID, AZURE_TENANT_ID,
 * AZURE_FEDERATED_TOKEN_FILE (and AZURE_AUTHORITY_HOST), so `create-profile --name x` alone makes
 * a working client-credentials profile there. Only when the token file is set: a developer's stray
 * AZURE_CLIENT_ID must not silently stand in for a prompt. Flags win over the environment.
 */
export function withWorkloadIdentity(fields: ProfileFields, env: NodeJS.ProcessEnv): ProfileFields {
  const tokenFile = env.AZURE_FEDERATED_TOKEN_FILE
  if (!tokenFile || fields.options?.certificatePath !== undefined) return fields
  return {
    ...fields,
    authority: fields.authority ?? (env.AZURE_AUTHORITY_HOST || undefined),
    clientId: fields.clientId ?? (env.AZURE_CLIENT_ID || undefined),
    flow: fields.flow ?? 'client-credentials',
    options: {...fields.options, federatedTokenFile: fields.options?.federatedTokenFile ?? tokenFile},
    tenantId: fields.tenantId ?? (env.AZURE_TENANT_ID || undefined),
  }
}
