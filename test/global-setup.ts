import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres, type EmbeddedServer } from '../src/platform/db/embedded.ts';

/**
 * One PostgreSQL for the whole run: the embedded one by default (its own folder and port, durability
 * off for speed), or the server in DATABASE_URL (CI runs the suite against 127.0.0.1:5432 too).
 * Each test file then creates its own database on it.
 */
let server: EmbeddedServer | undefined;

export async function setup(project: TestProject) {
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    const log = { info: () => undefined, warn: (o: unknown, m?: string) => console.warn(m, o) };
    server = await startEmbeddedPostgres({ dir: '.data/test-pg', port: Number(process.env.TEST_PG_PORT ?? 54339), log, fast: true });
    adminUrl = server.url;
  }
  project.provide('pgAdminUrl', adminUrl);
}

export async function teardown() {
  await server?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
  }
}
