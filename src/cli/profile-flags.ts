import {Flags} from '@oclif/core'

import type {ProfileFields} from '../profiles/profile-service.js'
import {splitScopes} from '../profiles/validate.js'
import {portFlag, portRangeFlag} from '../lib/flags.js'

/** The profile fields as flags, shared by create-profile and edit-profile. */
export const profileFieldFlags = {
  cae: Flags.boolean({allowNo: true, description: 'Ask for CAE-capable tokens (client capability cp1): long-lived, revoked at once by the resource when needed.'}),
  authority: Flags.string({description: 'Cloud or authority: public (default), usgov, china, a host, or a full authority URL (B2C, CIAM, custom).'}),
  'ca-file': Flags.string({description: 'PEM file of extra CA certificates to trust for the authority (like ENTRATOOL_CA_FILE).', helpValue: '<path>'}),
  certificate: Flags.string({description: 'Client certificate: a PEM holding certificate and key, or a PFX.', helpValue: '<path>'}),
  'certificate-password-stdin': Flags.boolean({description: 'Read the PFX password from stdin and keep it in secure storage.'}),
  'client-id': Flags.string({description: 'Application (client) id, a GUID.', helpValue: '<guid>'}),
  'client-secret-stdin': Flags.boolean({description: 'Read the client secret from stdin (never pass a secret as an argument) and keep it in secure storage.'}),
  default: Flags.boolean({description: 'Make this the default profile.'}),
  'federated-token-file': Flags.string({description: 'File holding a federated token (workload identity), re-read on every request.', helpValue: '<path>'}),
  flow: Flags.string({char: 'f', description: 'Default flow for this profile (see `entratool flows`).', helpValue: '<flow>'}),
  'managed-identity': Flags.string({description: 'Managed identity flow: system, a user-assigned client id, object-id:<guid> or a resource id (default: the --client-id).', helpValue: '<identity>'}),
  'paste-redirect': Flags.boolean({allowNo: true, description: 'Interactive flow: no loopback listener; paste the address the browser ends on (SSH, tunnels).'}),
  port: portFlag({description: 'Loopback port for the interactive flow.', exclusive: ['port-range']}),
  'port-range': portRangeFlag({description: 'Loopback port range for the interactive flow, e.g. 8000-8100.'}),
  'private-key': Flags.string({description: 'PEM private key, when it is not in the --certificate file.', helpValue: '<path>'}),
  scope: Flags.string({char: 's', description: 'Default scope(s); repeatable, space- or comma-separated.', multiple: true}),
  'send-x5c': Flags.boolean({allowNo: true, description: 'Send the certificate chain (x5c) for subject name/issuer authentication.'}),
  // --tenant too, as get-token spells it: the same word works on every command.
  'tenant-id': Flags.string({aliases: ['tenant'], description: 'Tenant: a GUID, a domain, common, organizations or consumers. Also --tenant.', helpValue: '<tenant>'}),
}

type FieldFlags = {
  [K in keyof typeof profileFieldFlags]?: unknown
}

export function fieldsFromFlags(flags: FieldFlags): ProfileFields {
  const scopes = flags.scope ? splitScopes(flags.scope as string[]) : undefined
  return {
    authority: flags.authority as string | undefined,
    cae: flags.cae as boolean | undefined,
    caFile: flags['ca-file'] as string | undefined,
    certificatePath: flags.certificate as string | undefined,
    clientId: flags['client-id'] as string | undefined,
    federatedTokenFile: flags['federated-token-file'] as string | undefined,
    flow: flags.flow as string | undefined,
    managedIdentity: flags['managed-identity'] as string | undefined,
    pasteRedirect: flags['paste-redirect'] as boolean | undefined,
    port: flags.port as number | undefined,
    portRange: flags['port-range'] as [number, number] | undefined,
    privateKeyPath: flags['private-key'] as string | undefined,
    scopes,
    sendX5c: flags['send-x5c'] as boolean | undefined,
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
  if (!tokenFile || fields.certificatePath !== undefined) return fields
  return {
    ...fields,
    authority: fields.authority ?? (env.AZURE_AUTHORITY_HOST || undefined),
    clientId: fields.clientId ?? (env.AZURE_CLIENT_ID || undefined),
    federatedTokenFile: fields.federatedTokenFile ?? tokenFile,
    flow: fields.flow ?? 'client-credentials',
    tenantId: fields.tenantId ?? (env.AZURE_TENANT_ID || undefined),
  }
}
