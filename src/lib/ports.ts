/** Port numbers and port ranges as people type them; a plain Error says what is wrong with the input. */

export function parsePort(input: string): number {
  const port = /^\d{1,5}$/.test(input.trim()) ? Number(input) : Number.NaN
  if (!(port >= 1 && port <= 65_535)) throw new Error(`port '${input}' is invalid: give a number from 1 to 65535`)
  return port
}

export function parsePortRange(input: string): [number, number] {
  const match = /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(input)
  if (!match) throw new Error(`port range '${input}' is invalid: write it as A-B, e.g. 8000-8100`)
  const low = parsePort(match[1])
  const high = parsePort(match[2])
  if (low > high) throw new Error(`port range '${input}' is reversed: write the lower port first`)
  return [low, high]
}
