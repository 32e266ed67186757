// Fixed identities so tests, the demo and a separately started emulator agree without coordination.
export const DEFAULT_TENANT_ID = '7c3b1f0e-5d2a-4e8b-9a61-2f4d8c0b9e15'
export const DEFAULT_TENANT_DOMAIN = 'contoso.test'
export const PUBLIC_CLIENT_ID = '3f9a2c71-0b4e-4d8a-b6c5-1e7d9f203a48'
export const CONFIDENTIAL_CLIENT_ID = 'b8e4d2a6-71c3-4f05-9e2b-6a0c5d8f1b37'
export const CLIENT_SECRET = 'emu~Secret.0123456789abcdefABCDEF_-'
export const API_APP_ID_URI = 'api://entratool-demo-api'
export const GRAPH_RESOURCE = 'https://graph.microsoft.com'
export const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000'
/** Azure DevOps' first-party resource (Azure Repos takes its tokens as a git password). */
export const AZURE_DEVOPS_RESOURCE = '499b84ac-1321-427f-aa17-267ca6975798'
export const FEDERATED_AUDIENCE = 'api://AzureADTokenExchange'
export const MULTI_TENANT_ALIASES = ['common', 'organizations', 'consumers'] as const

export const DEFAULT_USER = {
  username: 'alice@contoso.test',
  password: 'Passw0rd!emulator',
  oid: '5e1f7a3c-92b4-4c6d-8e0a-b13f4d2c6e71',
  name: 'Alice Example',
}

// Delegated permissions each resource exposes; `.default` expands to these, as consented scopes do in Entra.
export const RESOURCE_SCOPES: Record<string, string[]> = {
  [API_APP_ID_URI]: ['Data.Read', 'Data.Write'],
  [GRAPH_RESOURCE]: ['User.Read'],
  [AZURE_DEVOPS_RESOURCE]: ['user_impersonation'],
}

export const DEFAULTS = {
  tokenLifetime: 3600,
  refreshTokenLifetime: 90 * 24 * 3600,
  codeLifetime: 600,
  deviceCode: {mode: 'approve', afterPolls: 1, slowDownOnce: false, interval: 5, expiresIn: 900},
} as const

export const OIDC_SCOPES = new Set(['openid', 'profile', 'email', 'offline_access'])
