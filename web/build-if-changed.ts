import { spawnSync } from 'node:child_process';
import { ROOT, staleBecause } from './build-inputs.ts';

/** npm start's first step: builds the web client only when something it is made from changed. */
const why = staleBecause();
if (!why) {
  console.log('web client up to date (no rebuild)');
} else {
  console.log(`building the web client: ${why}`);
  const r = spawnSync('npx', ['vite', 'build', '--config', 'web/vite.config.ts'], { cwd: ROOT, stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
