// Worker thread entry: one reachability proof (mutation/formal/reachProof.ts), whose search is synchronous and can take half a
// minute — on a thread of its own it does not hold up the campaign's other mutants, whose runs report through this
// process's event loop.
import { parentPort } from 'node:worker_threads';
import { SimrunError } from '../../core/errors.js';
import { provesByReachability } from './reachProof.js';
import type { ReachLimits, ResetOf } from './reachProof.js';
import type { YosysMutation } from './yosys.js';

parentPort!.once('message', (a: { prepared: string; m: YosysMutation; design: ResetOf; work: string; limits: ReachLimits }) => {
  provesByReachability(a.prepared, a.m, a.design, a.work, a.limits).then(
    (ok) => parentPort!.postMessage({ ok }),
    (e: unknown) => parentPort!.postMessage({ error: e instanceof SimrunError ? { code: e.code, message: e.message } : { code: 'INTERNAL', message: String(e) } }),
  );
});
