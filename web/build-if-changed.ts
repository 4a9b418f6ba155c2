import { buildWebIfChanged } from './build-inputs.ts';

/** Builds the web client only when something it is made from changed (`npm start` does this itself). */
await buildWebIfChanged().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
