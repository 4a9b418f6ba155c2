import { createServer } from 'node:net';

/** A TCP port that was free a moment ago on 127.0.0.1 (tests and benchmarks bind their servers to it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}
