import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Starts paysim as its own process (npm start does); it exits by itself if this process dies. */
export async function spawnPaysim(opts: {
  port: number;
  apiKey: string;
  webhookSecret: string;
  stateFile: string;
}): Promise<{ url: string; stop(): Promise<void> }> {
  // A paysim left by a store that was just killed exits within a second; wait for its port rather than fail.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(opts);
    } catch (err) {
      if (attempt >= 8) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

async function startOnce(opts: {
  port: number;
  apiKey: string;
  webhookSecret: string;
  stateFile: string;
}): Promise<{ url: string; stop(): Promise<void> }> {
  const child: ChildProcess = fork(fileURLToPath(new URL('./main.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx'],
    env: {
      ...process.env,
      PAYSIM_PORT: String(opts.port),
      PAYSIM_API_KEY: opts.apiKey,
      PAYSIM_WEBHOOK_SECRET: opts.webhookSecret,
      PAYSIM_STATE_FILE: opts.stateFile,
      PAYSIM_PUBLIC_URL: `http://localhost:${opts.port}`,
      PAYSIM_PARENT_PID: String(process.pid),
    },
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr = (stderr + d).slice(-2000)));
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) =>
      reject(new Error(`paysim exited with code ${code} before it was ready (is port ${opts.port} free? set PAYSIM_PORT):\n${stderr}`)),
    );
  });
  child.removeAllListeners('exit');
  return {
    url: `http://127.0.0.1:${opts.port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
