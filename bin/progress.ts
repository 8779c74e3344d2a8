// Progress for long stages on stderr: an updating bar on a terminal; without one (a CI log), once a command has run 10 s,
// the latest status line every 10 s with the seconds it has run, so a long RTL frame shows it is alive (a short run
// stays quiet). Warnings and notices always get their own line.

/** Milliseconds between status lines when stderr is not a terminal (SIMRUN_PROGRESS_SECONDS, default 10). */
const QUIET_PERIOD_MS = 1000 * (/^\d+$/.test(process.env.SIMRUN_PROGRESS_SECONDS ?? '') && Number(process.env.SIMRUN_PROGRESS_SECONDS) > 0 ? Number(process.env.SIMRUN_PROGRESS_SECONDS) : 10);

/** A log function for the harness (lines with "k/n" draw a bar; others replace the status line) and `end` to stop it. */
export function progress(quiet: boolean): ((line: string) => void) & { end: () => void } {
  const tty = process.stderr.isTTY === true;
  const t0 = performance.now();
  let open = false;
  let latest = '';
  let printedAt = performance.now();
  const clear = () => {
    if (open) process.stderr.write('\r\x1b[K');
    open = false;
  };
  process.once('exit', clear);
  const stamp = () => `${((performance.now() - t0) / 1000).toFixed(0)} s`;
  const printLatest = () => {
    if (!latest) return;
    process.stderr.write(`simrun: progress (${stamp()}): ${latest}\n`);
    printedAt = performance.now();
  };
  // Without a terminal a timer keeps the log alive: the newest status, even when no new line came.
  const timer = !tty && !quiet ? setInterval(printLatest, QUIET_PERIOD_MS) : null;
  timer?.unref();
  const log = (line: string) => {
    if (line.startsWith('warning:') || line.startsWith('notice:')) {
      clear();
      process.stderr.write(`simrun: ${line}\n`);
      return;
    }
    if (quiet) return;
    latest = line;
    if (!tty) {
      if (performance.now() - printedAt >= QUIET_PERIOD_MS) printLatest();
      return;
    }
    const m = /(\d+)\/(\d+)/.exec(line);
    let bar = '';
    if (m) {
      const done = Math.min(20, Math.round((20 * Number(m[1])) / Math.max(1, Number(m[2]))));
      bar = `[${'#'.repeat(done)}${'.'.repeat(20 - done)}] `;
    }
    clear();
    process.stderr.write(`${bar}${line}`.slice(0, (process.stderr.columns ?? 100) - 1));
    open = true;
  };
  return Object.assign(log, {
    end: () => {
      if (timer) clearInterval(timer);
      clear();
    },
  });
}
