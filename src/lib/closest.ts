/** Levenshtein distance, for "did you mean" (ids are short: the quadratic table is fine). */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({length: b.length + 1}, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1))
    }

    previous = current
  }

  return previous[b.length]
}

/** The candidate nearest to `input`, if it is near enough to be a plausible typo. */
export function closest(input: string, candidates: string[]): string | undefined {
  let best: {distance: number; id: string} | undefined
  for (const id of candidates) {
    const distance = editDistance(input, id)
    if (!best || distance < best.distance) best = {distance, id}
  }

  return best && best.distance <= Math.max(2, Math.floor(input.length / 3)) ? best.id : undefined
}
