import type {IdentityEnv, RunningIdentity} from './identity-service.js'

export const IDENTITY_FORMATS = ['env', 'json'] as const
export type IdentityFormat = (typeof IDENTITY_FORMATS)[number]

const quote = (value: string) => `'${value.replaceAll("'", `'\\''`)}'`

/** stdout of serve-identity: what a client needs, as shell exports or one JSON object. */
export function renderIdentityEnv(env: IdentityEnv, format: IdentityFormat): string {
  if (format === 'json') return `${JSON.stringify(env)}\n`
  return Object.entries(env)
    .map(([key, value]) => `export ${key}=${quote(value)}\n`)
    .join('')
}

/** stderr of serve-identity: where it listens and how a container reaches it (never the secret itself). */
export function identityHints(running: RunningIdentity): string[] {
  const names = running.profiles.map((p) => `'${p.name}'`).join(', ')
  const inContainer = `http://host.docker.internal:${running.port}/msi/token`
  return [
    `Serving tokens for profile ${names} at ${running.endpoint} until Ctrl+C (one audit line per request below).`,
    `Containers reach it when it listens on the Docker bridge (--bind 172.17.0.1 --port ${running.port}), with IDENTITY_HEADER exported from the lines above:`,
    `  docker run --add-host=host.docker.internal:host-gateway -e IDENTITY_ENDPOINT=${inContainer} -e IDENTITY_HEADER IMAGE`,
    `  compose: extra_hosts: ["host.docker.internal:host-gateway"], environment: {IDENTITY_ENDPOINT: "${inContainer}", IDENTITY_HEADER: "\${IDENTITY_HEADER}"}`,
  ]
}
