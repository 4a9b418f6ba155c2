/**
 * Writes a small MaxMind DB (MMDB 2.0, IPv4 tree, 24-bit records) mapping networks to countries, from the
 * published format (https://maxmind.github.io/MaxMind-DB/), so a test can give the store a real MMDB file.
 */
type Value = string | number | bigint | Value[] | { [k: string]: Value };

function encode(v: Value): Buffer {
  const control = (type: number, size: number, payload: Buffer) => {
    if (size >= 29) throw new Error('long values are not needed here');
    return type <= 7
      ? Buffer.concat([Buffer.from([(type << 5) | size]), payload])
      : Buffer.concat([Buffer.from([size, type - 7]), payload]);
  };
  const uint = (n: bigint) => {
    const bytes: number[] = [];
    for (let x = n; x > 0n; x >>= 8n) bytes.unshift(Number(x & 0xffn));
    return Buffer.from(bytes);
  };
  if (typeof v === 'string') return control(2, Buffer.byteLength(v), Buffer.from(v));
  if (typeof v === 'bigint') return control(9, uint(v).length, uint(v)); // uint64
  if (typeof v === 'number') return control(6, uint(BigInt(v)).length, uint(BigInt(v))); // uint32
  if (Array.isArray(v)) return control(11, v.length, Buffer.concat(v.map(encode)));
  const entries = Object.entries(v);
  return control(7, entries.length, Buffer.concat(entries.flatMap(([k, x]) => [encode(k), encode(x)])));
}

export function writeCountryMmdb(networks: [cidr: string, country: string][]): Buffer {
  // A binary trie over the address bits; leaves hold an index into `records`.
  interface Node {
    children: [Node | number | null, Node | number | null];
  }
  const root: Node = { children: [null, null] };
  const records: Buffer[] = [];
  for (const [cidr, country] of networks) {
    const [ip, len] = cidr.split('/') as [string, string];
    const bits = ip.split('.').reduce((n, o) => (n << 8n) | BigInt(o), 0n);
    const rec = records.push(encode({ country: { iso_code: country } })) - 1;
    let node = root;
    for (let i = 0; i < Number(len); i++) {
      const bit = Number((bits >> BigInt(31 - i)) & 1n);
      if (i === Number(len) - 1) node.children[bit] = rec;
      else node = (node.children[bit] ??= { children: [null, null] }) as Node;
    }
  }
  const nodes: Node[] = [];
  const number = (n: Node) => {
    nodes.push(n);
    for (const c of n.children) if (c && typeof c === 'object') number(c);
  };
  number(root);
  const nodeCount = nodes.length;
  const offsets: number[] = [];
  let at = 0;
  for (const r of records) {
    offsets.push(at);
    at += r.length;
  }
  const tree = Buffer.alloc(nodeCount * 6);
  nodes.forEach((n, i) => {
    n.children.forEach((c, side) => {
      const value = c === null ? nodeCount : typeof c === 'number' ? nodeCount + 16 + offsets[c]! : nodes.indexOf(c);
      tree.writeUIntBE(value, i * 6 + side * 3, 3);
    });
  });
  const metadata = encode({
    node_count: nodeCount,
    record_size: 24,
    ip_version: 4,
    database_type: 'Test-Country',
    languages: ['en'],
    binary_format_major_version: 2,
    binary_format_minor_version: 0,
    build_epoch: BigInt(1_700_000_000),
    description: { en: 'test' },
  });
  return Buffer.concat([tree, Buffer.alloc(16), ...records, Buffer.from('abcdef4d61784d696e642e636f6d', 'hex'), metadata]);
}
