/**
 * Just enough of a DER reader to walk a PKCS#12 file: node:crypto reads certificates and keys but
 * not the PKCS#12 container around them, and a plugin cannot lean on the core's node_modules.
 */

export const TAG = {
  context0: 0xa0,
  context0Primitive: 0x80,
  integer: 0x02,
  octetString: 0x04,
  octetStringConstructed: 0x24,
  oid: 0x06,
  sequence: 0x30,
  set: 0x31,
} as const

export interface DerNode {
  tag: number
  /** The contents, without tag and length. */
  body: Buffer
  /** The whole encoding, tag and length included. */
  der: Buffer
}

export class DerError extends Error {}

export function readNode(buffer: Buffer, offset = 0): DerNode {
  if (offset + 2 > buffer.length) throw new DerError('truncated ASN.1')
  const tag = buffer[offset]
  let length = buffer[offset + 1]
  let start = offset + 2
  if (length === 0x80) throw new DerError('indefinite-length (BER) encoding')
  if (length > 0x80) {
    const bytes = length - 0x80
    if (bytes > 4 || start + bytes > buffer.length) throw new DerError('invalid ASN.1 length')
    length = buffer.readUIntBE(start, bytes)
    start += bytes
  }

  if (start + length > buffer.length) throw new DerError('truncated ASN.1')
  return {body: buffer.subarray(start, start + length), der: buffer.subarray(offset, start + length), tag}
}

export function children(node: DerNode): DerNode[] {
  const out: DerNode[] = []
  for (let offset = 0; offset < node.body.length; ) {
    const child = readNode(node.body, offset)
    out.push(child)
    offset += child.der.length
  }

  return out
}

/** The child at `index`, which must carry `tag`. */
export function child(node: DerNode, index: number, tag: number): DerNode {
  const found = children(node)[index]
  if (!found || found.tag !== tag) throw new DerError(`unexpected ASN.1 structure (wanted tag 0x${tag.toString(16)} at ${index})`)
  return found
}

/** An OCTET STRING's bytes; some producers split one into a constructed series of pieces. */
export function octets(node: DerNode): Buffer {
  if (node.tag === TAG.octetStringConstructed) return Buffer.concat(children(node).map((piece) => octets(piece)))
  if (node.tag !== TAG.octetString && node.tag !== TAG.context0Primitive) throw new DerError('expected an OCTET STRING')
  return node.body
}

export function oid(node: DerNode): string {
  if (node.tag !== TAG.oid || node.body.length === 0) throw new DerError('expected an OBJECT IDENTIFIER')
  const parts = [Math.floor(node.body[0] / 40), node.body[0] % 40]
  let value = 0
  for (const byte of node.body.subarray(1)) {
    value = value * 128 + (byte & 0x7f)
    if (!(byte & 0x80)) {
      parts.push(value)
      value = 0
    }
  }

  return parts.join('.')
}

export function integer(node: DerNode): number {
  if (node.tag !== TAG.integer || node.body.length === 0 || node.body.length > 6) throw new DerError('expected a small INTEGER')
  return node.body.readUIntBE(0, node.body.length)
}
