// Progress for long stages: an updating bar on a TTY (stderr), nothing otherwise; warnings always get their own line.

/** A log function for the harness (lines with "k/n" draw a bar; others replace the status line) and `end` to clear it. */
export function progress(quiet: boolean): ((line: string) => void) & { end: () => void } {
  const tty = process.stderr.isTTY === true;
  let open = false;
  const clear = () => {
    if (open) process.stderr.write('\r\x1b[K');
    open = false;
  };
  process.once('exit', clear);
  const log = (line: string) => {
    if (line.startsWith('warning:') || line.startsWith('notice:')) {
      clear();
      process.stderr.write(`simrun: ${line}\n`);
      return;
    }
    if (!tty || quiet) return;
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
  return Object.assign(log, { end: clear });
}
