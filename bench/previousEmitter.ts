// Design folders for the bench's RTL speed figures, each shown beside the previous emitter's measured in the same run:
// rowsim's source at PREVIOUS_EMITTER, taken from git and compiled apart, and this checkout emit them, and the current
// harness runs both with --rtl like any team's own design (same bench, same Verilator flags, same machine).
import { mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runTool } from '../core/proc.js';

/** The commit whose emitter the bench measures against: main before the ALUs were written one block per strip. */
export const PREVIOUS_EMITTER = '4c87c51';

let compiled: Promise<string> | null = null;

/** rowsim at PREVIOUS_EMITTER, compiled once per bench run; its folder (throws with the reason when it cannot be). */
function previousRowsim(): Promise<string> {
  compiled ??= (async () => {
    const root = mkdtempSync(join(tmpdir(), 'rowsim-previous-'));
    const src = join(root, 'src');
    mkdirSync(src);
    const tar = join(root, 'src.tar');
    const a = await runTool('git', ['archive', '--format=tar', '-o', tar, PREVIOUS_EMITTER]);
    if (a.exitCode !== 0) throw new Error(`git archive ${PREVIOUS_EMITTER} failed (the bench needs the repository's history): ${a.all.trim().split('\n')[0]}`);
    const x = await runTool('tar', ['-xf', tar, '-C', src]);
    if (x.exitCode !== 0) throw new Error(`tar failed: ${x.all}`);
    symlinkSync(resolve('node_modules'), join(src, 'node_modules'));
    const b = await runTool(process.execPath, [join(src, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(src, 'tsconfig.json')]);
    if (b.exitCode !== 0) throw new Error(`compiling rowsim ${PREVIOUS_EMITTER} failed: ${b.all.slice(0, 400)}`);
    return src;
  })();
  return compiled;
}

/** `config`'s design folder as `simrun emit` of the rowsim in `root` writes it (a fresh folder each call). */
async function emitWith(root: string, config: string, which: string): Promise<string> {
  const out = join(mkdtempSync(join(tmpdir(), `rowsim-${which}-${config}-`)), 'design');
  const e = await runTool(process.execPath, [join(root, 'dist', 'bin', 'simrun.js'), 'emit', '--config', config, '--out', out]);
  if (e.exitCode !== 0) throw new Error(`the ${which} emitter failed on ${config}: ${e.all.slice(0, 400)}`);
  return out;
}

/** `config`'s design folder as the previous emitter writes it. */
export async function previousEmitterDesign(config: string): Promise<string> {
  return emitWith(await previousRowsim(), config, 'previous');
}

/** `config`'s design folder as this emitter writes it (this checkout's dist). */
export function currentEmitterDesign(config: string): Promise<string> {
  return emitWith(resolve('.'), config, 'current');
}
