/**
 * The one time format of every line a person reads (status lines, list-profiles, show-profile,
 * inspect): local time with its zone offset, `2026-12-02 15:30:00 +01:00`, so a time pasted into
 * a chat or a ticket means one instant. Machine outputs (json, env, exec-credential, the az/azd
 * shapes) keep their own formats, ISO 8601 UTC where they have a choice.
 */
export function localTime(date: Date): string {
  const offset = -date.getTimezoneOffset()
  const sign = offset < 0 ? '-' : '+'
  const abs = Math.abs(offset)
  return `${wallClock(date)} ${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
}

/** `2026-12-02 15:30:00`: local time without its zone, only for formats that want exactly that (az's expiresOn). */
export function wallClock(date: Date): string {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
}

/** An ISO timestamp from a document, for a person; null and unparsable values pass through. */
export function localTimeOf(iso: null | string): null | string {
  const ms = iso === null ? Number.NaN : Date.parse(iso)
  return Number.isNaN(ms) ? iso : localTime(new Date(ms))
}

function pad(n: number): string {
  return String(n).padStart(2, '0')
}
