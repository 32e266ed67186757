/**
 * Splits `exec`'s argv into entratool's own flags and the command to run: the command starts at
 * `--` or at the first word that is neither a flag nor a flag's value, so `exec -p ci terraform
 * plan -out x` leaves `-out x` (and any -p of the child's) to terraform.
 */
export function splitExecArgv(argv: string[], flagsWithValue: readonly string[]): {own: string[]; command: string[]} {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--') return {command: argv.slice(i + 1), own: argv.slice(0, i)}
    if (!arg.startsWith('-') || arg === '-') return {command: argv.slice(i), own: argv.slice(0, i)}
    if (flagsWithValue.includes(arg)) i++
  }

  return {command: [], own: argv}
}
