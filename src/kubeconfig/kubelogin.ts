/**
 * What a kubelogin exec entry (`kubelogin get-token --login … --server-id …`) asks for, turned into
 * the entratool profile that gets the same token. Pure: the environment is passed in, so the
 * mapping is table-tested; anything kubelogin accepts that this does not understand is a reason,
 * and the entry is left as it is.
 */
import {checkClientId, checkTenant} from '../profiles/validate.js'

/** The public client `az aks get-credentials` writes for devicecode/interactive (Azure Kubernetes Service Client). */
export const AKS_CLIENT_ID = '80faf920-1908-4b52-b5ef-a8e7bedfc67a'
/** Azure CLI's public client, which AKS's server application pre-authorises: what `-l azurecli` signs in as. */
export const AZURE_CLI_CLIENT_ID = '04b07795-8ddb-461a-bbee-02f9e1bf7b46'
/** Where Azure workload identity mounts the service account token. */
export const WORKLOAD_TOKEN_FILE = '/var/run/secrets/azure/tokens/azure-identity-token'

const ENVIRONMENTS: Record<string, string> = {
  azurechinacloud: 'china',
  azurecloud: 'public',
  azurepubliccloud: 'public',
  azureusgovernment: 'usgov',
  azureusgovernmentcloud: 'usgov',
}

/** The identity part of a profile: two entries with equal identities share one profile. */
export interface Identity {
  authority?: string
  clientId: string
  federatedTokenFile?: string
  certificatePath?: string
  flow: 'client-credentials' | 'device-code' | 'interactive' | 'managed-identity'
  managedIdentity?: string
  tenantId: string
}

export interface KubeloginEntry {
  identity: Identity
  login: string
  scope: string
  /** What the person should know (a secret to provide, a choice made for them). */
  notes: string[]
}

/** Flags that change nothing entratool does (kubelogin's own cache and timing). */
const IGNORED = new Set(['--token-cache-dir', '--timeout'])
const BOOLEAN = new Set(['--use-azurerm-env-vars', '--legacy', '--pop-enabled', '--disable-environment-override', '--disable-instance-discovery'])

/** Parses kubelogin's argv; a string is the reason the entry is left untouched. */
export function readKubelogin(args: readonly string[], env: Readonly<Record<string, string | undefined>>): KubeloginEntry | string {
  if (args[0] !== 'get-token') return `runs \`kubelogin ${args[0] ?? ''}\`, not \`kubelogin get-token\``
  const values = new Map<string, string>()
  for (let i = 1; i < args.length; i++) {
    const arg = args[i]
    const eq = arg.indexOf('=')
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg === '-l' ? '--login' : arg
    if (BOOLEAN.has(name)) {
      if (name === '--use-azurerm-env-vars') continue
      return `uses ${name}, which entratool does not offer`
    }

    const value = arg.startsWith('--') && eq > 0 ? arg.slice(eq + 1) : args[++i]
    if (!name.startsWith('-') || value === undefined) return `has an argument it cannot read: ${arg}`
    if (IGNORED.has(name)) continue
    values.set(name, value)
  }

  const known = ['--login', '--server-id', '--tenant-id', '--client-id', '--environment', '--authority-host', '--client-secret', '--client-certificate', '--federated-token-file', '--identity-resource-id']
  const unknown = [...values.keys()].find((name) => !known.includes(name))
  if (unknown) return `uses ${unknown}, which the conversion does not understand`
  const serverId = values.get('--server-id')
  if (!serverId) return 'has no --server-id'
  const login = (values.get('--login') ?? env.AAD_LOGIN_METHOD ?? 'devicecode').toLowerCase()
  const notes: string[] = []
  let authority: string | undefined
  const environment = values.get('--environment')
  if (environment) {
    authority = ENVIRONMENTS[environment.toLowerCase()]
    if (!authority) return `uses --environment ${environment}, which is not a cloud entratool knows`
    if (authority === 'public') authority = undefined
  }

  if (values.has('--authority-host')) authority = values.get('--authority-host')!.replace(/\/+$/, '')
  const tenantId = values.get('--tenant-id') ?? (login === 'workloadidentity' || login === 'spn' ? env.AZURE_TENANT_ID : undefined)
  const clientIdFlag = values.get('--client-id')
  let identity: Identity
  switch (login) {
    case 'devicecode':
    case 'interactive': {
      identity = {clientId: clientIdFlag ?? AKS_CLIENT_ID, flow: login === 'devicecode' ? 'device-code' : 'interactive', tenantId: tenantId ?? 'organizations'}
      if (!tenantId) notes.push('no --tenant-id: signs in through "organizations"')
      break
    }

    case 'azurecli': {
      // entratool cannot borrow az's sign-in; it signs in as az does, with az's own client id.
      identity = {clientId: AZURE_CLI_CLIENT_ID, flow: 'interactive', tenantId: tenantId ?? 'organizations'}
      notes.push(`-l azurecli: entratool signs in itself, in the browser, as the Azure CLI's client (${AZURE_CLI_CLIENT_ID}); pass -p to use one of your profiles instead`)
      break
    }

    case 'spn': {
      const clientId = clientIdFlag ?? env.AAD_SERVICE_PRINCIPAL_CLIENT_ID ?? env.AZURE_CLIENT_ID
      if (!clientId) return '-l spn without --client-id (or AAD_SERVICE_PRINCIPAL_CLIENT_ID)'
      if (!tenantId) return '-l spn without --tenant-id'
      identity = {clientId, flow: 'client-credentials', tenantId}
      const certificate = values.get('--client-certificate')
      if (certificate) {
        identity.certificatePath = certificate
      } else {
        notes.push(
          values.has('--client-secret')
            ? 'the client secret in the old args is not copied: store it with `entratool edit-profile --client-secret-stdin`, or set AZURE_CLIENT_SECRET'
            : 'the client secret comes from AZURE_CLIENT_SECRET when kubectl runs (kubelogin read AAD_SERVICE_PRINCIPAL_CLIENT_SECRET), or store it with `entratool edit-profile --client-secret-stdin`',
        )
      }

      break
    }

    case 'msi': {
      const resourceId = values.get('--identity-resource-id')
      const managedIdentity = resourceId ?? (clientIdFlag ? undefined : 'system')
      const clientId = clientIdFlag ?? serverGuid(serverId)
      if (!clientId) return '-l msi with a system-assigned identity and a --server-id that is not a GUID'
      identity = {clientId, flow: 'managed-identity', tenantId: tenantId ?? 'organizations', ...(managedIdentity ? {managedIdentity} : {})}
      break
    }

    case 'workloadidentity': {
      const clientId = clientIdFlag ?? env.AZURE_CLIENT_ID
      if (!clientId || !tenantId) return '-l workloadidentity without --client-id/--tenant-id (or AZURE_CLIENT_ID/AZURE_TENANT_ID where convert runs)'
      identity = {clientId, federatedTokenFile: values.get('--federated-token-file') ?? env.AZURE_FEDERATED_TOKEN_FILE ?? WORKLOAD_TOKEN_FILE, flow: 'client-credentials', tenantId}
      if (env.AZURE_AUTHORITY_HOST && !authority) authority = env.AZURE_AUTHORITY_HOST.replace(/\/+$/, '')
      break
    }

    default: {
      return `uses -l ${login}, which entratool does not offer (ropc sends a password)`
    }
  }

  if (authority) identity.authority = authority
  const problem = checkTenant(identity.tenantId) ?? checkClientId(identity.clientId)
  if (problem) return problem
  return {identity, login, notes, scope: `${serverId}/.default`}
}

function serverGuid(serverId: string): string | undefined {
  return checkClientId(serverId) ? undefined : serverId
}

/** True when a profile already holds this identity (so it is reused, not created again). */
export function sameIdentity(a: Identity, b: Partial<Identity> & {flow?: string}): boolean {
  const norm = (v: string | undefined) => (v ?? '').toLowerCase()
  return (
    norm(a.tenantId) === norm(b.tenantId) &&
    norm(a.clientId) === norm(b.clientId) &&
    norm(a.flow) === norm(b.flow ?? 'interactive') &&
    norm(a.managedIdentity) === norm(b.managedIdentity) &&
    norm(a.federatedTokenFile) === norm(b.federatedTokenFile) &&
    norm(a.certificatePath) === norm(b.certificatePath) &&
    norm(a.authority ?? 'public') === norm(b.authority ?? 'public')
  )
}
