/** All of stdin as UTF-8; stops reading and throws `tooLarge()` past `limit.bytes`. */
export async function readStdin(stdin: NodeJS.ReadableStream = process.stdin, limit?: {bytes: number; tooLarge: () => Error}): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of stdin) {
    size += (chunk as Buffer).length
    if (limit && size > limit.bytes) throw limit.tooLarge()
    chunks.push(chunk as Buffer)
  }

  return Buffer.concat(chunks).toString('utf8')
}

export function canPrompt(): boolean {
  return Boolean(process.stdin.isTTY && process.stderr.isTTY)
}
