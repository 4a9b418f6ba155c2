import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { fingerprint, INPUTS_FILE, ownModules } from './build-inputs.ts';

/** Records what the build was made from (web/build-inputs.ts), so `npm start` can skip an unchanged rebuild. */
const recordInputs = (): Plugin => ({
  name: 'record-build-inputs',
  apply: 'build',
  writeBundle() {
    mkdirSync(dirname(INPUTS_FILE), { recursive: true });
    writeFileSync(INPUTS_FILE, JSON.stringify(fingerprint(ownModules(this.getModuleIds())), null, 1));
  },
});

export default defineConfig({
  root: 'web',
  plugins: [react(), recordInputs()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 800 },
  server: { proxy: { '/api': 'http://localhost:3000', '/covers': 'http://localhost:3000', '/media': 'http://localhost:3000' } },
});
