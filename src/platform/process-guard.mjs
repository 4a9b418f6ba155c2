// Watchdog: `node process-guard.mjs <parentPid> <childPid>` stops the child (fast shutdown) once the parent is gone.
const [parent, child] = process.argv.slice(2).map(Number);
const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const timer = setInterval(() => {
  if (!alive(child)) return clearInterval(timer);
  if (alive(parent)) return;
  clearInterval(timer);
  try {
    process.kill(child, 'SIGINT');
  } catch {
    /* already gone */
  }
}, 500);
