/** What a command puts on stdout: a document in the format asked for, or text it laid out itself. */
export type View = {document: unknown; format: 'json' | 'yaml'} | {text: string}

/** The one renderer of stdout payloads (BaseCommand.render writes what it returns). */
export async function renderView(view: View): Promise<string> {
  return 'text' in view ? view.text : renderData(view.document, view.format)
}

/** Renders a document for -o json|yaml. */
export async function renderData(data: unknown, format: 'json' | 'yaml'): Promise<string> {
  if (format === 'json') return `${JSON.stringify(data, null, 2)}\n`
  const {stringify} = await import('yaml')
  return stringify(data)
}

export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)))
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()
  return `${[line(header), ...rows.map((r) => line(r))].join('\n')}\n`
}
