/**
 * `npm start`: runs the store from a bundle of its sources, made only when one of them changed since the last build
 * — as the web client is (issue 15; bundle.mjs says why and how). `npm run dev` and the tests run the sources
 * through tsx, but for the store processes the tests kill and restart (test/store-process.ts).
 */
import { pathToFileURL } from 'node:url';
import { bundled } from './bundle.mjs';

const entry = await bundled('src/main.ts', 'server');
process.setSourceMapsEnabled(true);
await import(pathToFileURL(entry).href);
