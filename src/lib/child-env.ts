/**
 * Environment variables that carry secrets (entratool's own and the Azure SDKs'). No program
 * entratool starts (a browser, `exec`'s child, a shim's real `az`) needs them, and a child that
 * sees AZURE_CLIENT_SECRET or AZURE_FEDERATED_TOKEN_FILE would also let an SDK credential chain
 * pick that identity before the one entratool serves.
 */
export const SECRET_ENV_NAMES = [
  'ENTRATOOL_CLIENT_SECRET',
  'ENTRATOOL_CACHE_PASSPHRASE',
  'ENTRATOOL_EXPORT_PASSPHRASE',
  'AZURE_CLIENT_SECRET',
  'AZURE_CLIENT_CERTIFICATE_PATH',
  'AZURE_CLIENT_CERTIFICATE_PASSWORD',
  'AZURE_FEDERATED_TOKEN_FILE',
  'AZURE_USERNAME',
  'AZURE_PASSWORD',
] as const

/** A copy of `env` without the secret variables (and without any extra names given). */
export function scrubbedEnv(env: NodeJS.ProcessEnv, alsoRemove: readonly string[] = []): NodeJS.ProcessEnv {
  const drop = new Set<string>([...SECRET_ENV_NAMES, ...alsoRemove])
  const copy: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(env)) {
    if (!drop.has(key)) copy[key] = value
  }

  return copy
}
