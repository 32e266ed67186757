/** The ExecCredential API versions entratool answers in. */
export const EXEC_CREDENTIAL_V1 = 'client.authentication.k8s.io/v1'
export const EXEC_CREDENTIAL_V1BETA1 = 'client.authentication.k8s.io/v1beta1'

export interface ExecInfo {
  apiVersion: typeof EXEC_CREDENTIAL_V1 | typeof EXEC_CREDENTIAL_V1BETA1
  /** kubectl's spec.interactive: false when no one can answer a prompt (interactiveMode Never, no terminal). */
  interactive?: boolean
}

/**
 * What kubectl says in KUBERNETES_EXEC_INFO (an ExecCredential with `spec.interactive`). Without it
 * (a person running `-o exec-credential` by hand) the answer is v1 and interaction is allowed.
 */
export function readExecInfo(env: NodeJS.ProcessEnv): ExecInfo {
  let info: {apiVersion?: unknown; spec?: {interactive?: unknown}} = {}
  try {
    info = JSON.parse(env.KUBERNETES_EXEC_INFO ?? '{}') ?? {}
  } catch {
    // kubectl always sends valid JSON; anything else is ignored rather than failing the token.
  }

  return {
    apiVersion: info.apiVersion === EXEC_CREDENTIAL_V1BETA1 ? EXEC_CREDENTIAL_V1BETA1 : EXEC_CREDENTIAL_V1,
    interactive: typeof info.spec?.interactive === 'boolean' ? info.spec.interactive : undefined,
  }
}
