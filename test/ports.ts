import { createServer } from 'node:net';
import { readFileSync } from 'node:fs';

/**
 * Where the kernel picks the local ports of outgoing connections (Linux: 32768–60999 by default). A port chosen in
 * that range can be taken between the check and the listen by any client socket — a pool's new PostgreSQL
 * connection, an HTTP request — which failed a CI run with EADDRINUSE when every test talked to the PostgreSQL on
 * :5432. So ports are chosen below it.
 */
function ephemeralStart(): number {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (low && low > 12_000) return low;
  } catch {
    // Not Linux: the IANA dynamic range starts at 49152.
  }
  return 49_152;
}
const LOW = 10_000;
const HIGH = ephemeralStart() - 1;

function listensOn(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/**
 * A TCP port that was free a moment ago on 127.0.0.1 (tests and benchmarks bind their servers to it), at random below
 * the ephemeral range, so no outgoing connection is given it meanwhile.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW));
    if (await listensOn(port)) return port;
  }
  throw new Error(`no free port found between ${LOW} and ${HIGH}`);
}
