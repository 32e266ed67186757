const UNITS: Record<string, number> = {'': 1, h: 3600, m: 60, s: 1}

/** Parses `90`, `90s`, `5m` or `1h` into milliseconds; a bare number is seconds. */
export function parseDuration(input: string): number {
  const match = /^\s*(\d{1,7})\s*([hms]?)\s*$/i.exec(input)
  if (!match) throw new Error(`'${input}' is not a duration: write 90, 90s, 5m or 1h`)
  return Number(match[1]) * UNITS[match[2].toLowerCase()] * 1000
}

export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000))
  const h = Math.floor(total / 3600)
  const m = Math.floor((total % 3600) / 60)
  const s = total % 60
  if (h > 0) return `${h}h ${m}m`
  if (m > 0) return `${m}m ${s}s`
  return `${s}s`
}
