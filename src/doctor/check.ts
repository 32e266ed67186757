/** One line of the doctor's report. */
export type CheckStatus = 'fail' | 'ok' | 'warn'

export interface CheckResult {
  /** What was checked, e.g. "storage backend". */
  name: string
  status: CheckStatus
  /** What was found, one sentence. */
  detail: string
  /** What to do about it; only for warn and fail. */
  fix?: string
}

export const ok = (name: string, detail: string): CheckResult => ({detail, name, status: 'ok'})
export const warn = (name: string, detail: string, fix: string): CheckResult => ({detail, fix, name, status: 'warn'})
export const fail = (name: string, detail: string, fix: string): CheckResult => ({detail, fix, name, status: 'fail'})

/** The first failure: the one a person should fix first (warnings alone leave the setup healthy). */
export function firstFailure(results: readonly CheckResult[]): CheckResult | undefined {
  return results.find((r) => r.status === 'fail')
}
