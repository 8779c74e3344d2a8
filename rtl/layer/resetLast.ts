// The reset-last form of a layer's clocked blocks: `run…; if (rst) reset…`, refused unless the reset assigns every
// register the run part does (only then is it `if (rst) reset… else run…`).
import { SimrunError } from '../../core/errors.js';
import { vIf, type VStmt } from '../../core/vbuild.js';

/**
 * A clocked block's statements with its reset written last: `run…; if (rst) reset…` — the same registers as
 * `if (rst) reset… else run…` because `reset` assigns every register `run` does (the last non-blocking write wins;
 * checked here, since a register left out would keep running through a reset and still lint clean). Why: Verilator
 * commits a register through a shadow copy, made and committed every cycle, when the block reads it after (in text)
 * writing it, and a reset branch first writes every register before the block reads any. Verilator also turns
 * `if (!c) a else b` into `if (c) b else a`, so a negated reset cannot keep the branch that reads first.
 * `memories` names memories `run` writes that no reset clears (a row buffer): `run` guards their writes with `!rst`.
 */
export function resetLast(reset: readonly VStmt[], run: readonly VStmt[], memories: readonly string[] = []): VStmt[] {
  const resetOnes = assignedRegisters(reset);
  const missing = [...assignedRegisters(run)].filter((r) => !resetOnes.has(r) && !memories.includes(r));
  if (missing.length) throw new SimrunError('INTERNAL', `a clocked block's reset leaves ${missing.join(', ')} out; this is a bug in rowsim's emitter, please report it`);
  return [...run, vIf('rst', reset)];
}

/** Names on the left of the non-blocking writes in `stmts`, at any depth (`x <= …`, `x[i] <= …`, `x[a +: 8] <= …`). */
export function assignedRegisters(stmts: readonly VStmt[]): Set<string> {
  const out = new Set<string>();
  const walk = (list: readonly VStmt[]): void => {
    for (const s of list) {
      if (typeof s === 'string') {
        // A statement starts a line or follows a ';' or a branch head ('else', ')'); comments are not code.
        for (const line of s.split('\n')) for (const m of line.replace(/\/\/.*$/, '').matchAll(/(?:^|[;)]|\belse)\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:\[[^\]]*\]\s*)*<=/g)) out.add(m[1]!);
      } else if ('for' in s) walk(s.body);
      else { walk(s.then); if (s.else) walk(s.else); }
    }
  };
  walk(stmts);
  return out;
}
