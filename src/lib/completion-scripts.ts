/**
 * What @oclif/plugin-autocomplete's generated scripts lack: values for --profile/-p/--name (the
 * profiles that exist) and --flow/-f (the flows installed). They ask `entratool __complete` on
 * every Tab, so they are never stale. The generated scripts are patched, not replaced, so command
 * and flag completion stay oclif's.
 */

export const MARKER = 'Added by entratool: values for --profile/-p/--name and --flow/-f'

/** Commands whose --name/-p names a profile that does not exist yet. */
const NEW_NAME_COMMANDS = ['create-profile', 'import-profile']

export function patchBash(script: string, bin: string): string {
  if (script.includes(MARKER)) return script
  const fn = `_${bin}_autocomplete`
  return `${script}
# ${MARKER}
_${bin}_values()
{
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" cmd="\${COMP_WORDS[1]}" what=""
  # bash splits --flow=x at '=' (COMP_WORDBREAKS)
  if [[ "$cur" == "=" ]]; then cur=""; elif [[ "$prev" == "=" && $COMP_CWORD -ge 2 ]]; then prev="\${COMP_WORDS[COMP_CWORD-2]}"; fi
  case "$prev" in
    -p|--profile|--name) case "$cmd" in ${NEW_NAME_COMMANDS.join('|')}) ;; *) what=profiles ;; esac ;;
    -f|--flow) what=flows ;;
  esac
  if [[ -n "$what" ]]; then
    COMPREPLY=($(compgen -W "$(${bin} __complete "$what" 2>/dev/null)" -- "$cur"))
    return 0
  fi
  if [[ "$cur" == -* ]]; then
    # oclif's function finds the command from every earlier word: drop flags and their values first.
    local -a words=("\${COMP_WORDS[0]}")
    local w
    for w in "\${COMP_WORDS[@]:1:COMP_CWORD-1}"; do [[ "$w" == -* ]] && break; words+=("$w"); done
    COMP_WORDS=("\${words[@]}" "$cur")
    COMP_CWORD=\${#words[@]}
  fi
  ${fn} "$@"
}

complete -F _${bin}_values ${bin}
`
}

export function patchZsh(script: string, bin: string): string {
  if (script.includes(MARKER)) return script
  const helpers = `
# ${MARKER}
_${bin}_values () {
  local -a values
  values=(\${(f)"$(${bin} __complete $1 2>/dev/null)"})
  _describe -t $1 $1 values
}
_${bin}_profiles () { _${bin}_values profiles }
_${bin}_flows () { _${bin}_values flows }
`
  let command = ''
  const lines = script.split('\n').map((line) => {
    const caseLabel = /^([\w-]+(?::[\w-]+)*)\)$/.exec(line)
    if (caseLabel) command = caseLabel[1]
    const flag = /(?:\{-\w,--([\w-]+)\}|^--([\w-]+))"\[/.exec(line)
    const name = flag?.[1] ?? flag?.[2]
    const action = name === 'flow' ? 'flows' : ['name', 'profile'].includes(name ?? '') && !NEW_NAME_COMMANDS.includes(command) ? 'profiles' : undefined
    const valueAt = line.lastIndexOf(']:')
    if (!action || valueAt < 0) return line
    const end = line.indexOf('"', valueAt)
    return `${line.slice(0, valueAt)}]:${action.slice(0, -1)}:_${bin}_${action}${line.slice(end)}`
  })
  const [first, ...rest] = lines
  return [first, helpers, ...rest].join('\n')
}

export function patchPowerShell(script: string, bin: string): string {
  if (script.includes(MARKER)) return script
  return `${script}
# ${MARKER}
$global:${bin}OclifCompleter = $scriptblock
Register-ArgumentCompleter -Native -CommandName ${bin} -ScriptBlock {
  param($WordToComplete, $CommandAst, $CursorPosition)
  $before = @($CommandAst.CommandElements | Where-Object { $_.Extent.EndOffset -le $CursorPosition } | ForEach-Object { $_.Extent.Text })
  if ($WordToComplete -ne '' -and $before.Count -gt 0) { $before = @($before | Select-Object -First ($before.Count - 1)) }
  $prev = if ($before.Count -gt 0) { $before[-1] } else { '' }
  $cmd = if ($before.Count -gt 1) { $before[1] } else { '' }
  $what = switch -Exact ($prev) { '-p' { 'profiles' } '--profile' { 'profiles' } '--name' { 'profiles' } '-f' { 'flows' } '--flow' { 'flows' } default { '' } }
  if ($what -eq 'profiles' -and @(${NEW_NAME_COMMANDS.map((c) => `'${c}'`).join(', ')}) -contains $cmd) { $what = '' }
  if ($what -ne '') {
    ${bin} __complete $what 2>$null | Where-Object { $_ -like "$WordToComplete*" } | ForEach-Object {
      [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_)
    }
    return
  }
  & $global:${bin}OclifCompleter $WordToComplete $CommandAst $CursorPosition
}
`
}
