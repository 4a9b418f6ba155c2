// The training worker's entry: a worker thread starts without the parent's TypeScript loader, so it registers tsx
// for itself before loading the training code.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { train } = await import('./training.ts');
parentPort.postMessage(train(workerData));
