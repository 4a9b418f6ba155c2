/**
 * A progress bar for command-line tools: redrawn in place on a terminal (at most 10 times a second), one line per
 * 10 % when the output is a file or a CI log. Writes to stderr, so stdout stays the tool's answer.
 */
export function progressBar(label: string, total: number, out: NodeJS.WriteStream = process.stderr) {
  const tty = Boolean(out.isTTY);
  let drawn = 0;
  let lastDecile = -1;
  const line = (done: number) => {
    const share = total ? Math.min(1, done / total) : 1;
    const width = 30;
    const filled = Math.round(share * width);
    return `${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${Math.floor(share * 100)}% ${done.toLocaleString('en')}/${total.toLocaleString('en')}`;
  };
  return {
    update(done: number) {
      if (tty) {
        const now = Date.now();
        if (now - drawn < 100 && done < total) return;
        drawn = now;
        out.write(`\r${line(done)}`);
        return;
      }
      const decile = total ? Math.floor((done / total) * 10) : 10;
      if (decile > lastDecile) {
        lastDecile = decile;
        out.write(`${line(done)}\n`);
      }
    },
    done(done: number) {
      if (tty) out.write(`\r${line(done)}\n`);
      else if (lastDecile < 10) out.write(`${line(done)}\n`);
    },
  };
}
