/**
 * Figures the hardening suites produce, checked against README's "Reliability" table by
 * zz-readme-figures.test.ts (mocha runs it after the other suites of this folder).
 */
export const figures = new Map<string, number>()

export function recordFigure(name: string, value: number): void {
  figures.set(name, (figures.get(name) ?? 0) + value)
}
