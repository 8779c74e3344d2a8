// SLURM's command-line tools as rowsim uses them: sbatch to submit an array, squeue for the tasks still queued or
// running, and sacct (or, without accounting, scontrol) for how a finished task ended. Each failure of a tool is a
// SLURM_* error naming the command and what it said.
import { SimrunError } from '../../core/errors.js';
import { runTool, type ToolResult } from '../../core/proc.js';

const INSTALL = 'run on a SLURM login node, or install slurm-wlm (Debian) and point SLURM_CONF at the cluster';

async function slurmTool(tool: string, args: readonly string[]): Promise<ToolResult> {
  // A user's SQUEUE_STATES, SQUEUE_USERS, … would hide the job from the queries rowsim's following relies on.
  const r = await runTool(tool, args, { timeoutMs: 60_000, withoutEnv: ['SQUEUE_', 'SACCT_'] });
  if (r.notFound) throw new SimrunError('SLURM_MISSING', `${tool} is not on PATH; ${INSTALL}`);
  return r;
}

/** The last non-empty line of a tool's output (what it said about a failure). */
function said(r: ToolResult): string {
  return r.all.trim().split('\n').filter(Boolean).pop() ?? `exit ${r.exitCode}`;
}

/** Submits `script` (its own #SBATCH lines; `array` overrides its --array); returns the job id. */
export async function sbatch(script: string, array?: string): Promise<string> {
  const r = await slurmTool('sbatch', ['--parsable', ...(array ? [`--array=${array}`] : []), script]);
  const id = /^(\d+)/.exec(r.stdout.trim())?.[1];
  if (r.exitCode !== 0 || !id) throw new SimrunError('SLURM_FAILED', `sbatch ${script} failed: ${said(r)}`);
  return id;
}

/** States in which a task is over, should squeue still list it. */
const TERMINAL = /^(COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|PREEMPTED|OUT_OF_MEMORY|BOOT_FAIL|DEADLINE)/;

/**
 * A task's queue state (PENDING, RUNNING, COMPLETING, …) by task id, for the tasks of `job` still queued or running.
 * A failed squeue is tried again (a busy controller times out now and then) before it is SLURM_FAILED.
 */
export async function queuedTasks(job: string, tries = 4): Promise<Map<number, string>> {
  for (let k = 1; ; k++) {
    const r = await slurmTool('squeue', ['-h', '-r', '-j', job, '-o', '%K|%T']);
    const out = new Map<number, string>();
    if (r.exitCode === 0) {
      for (const line of r.stdout.split('\n')) {
        const m = /^(\d+)\|(\S+)$/.exec(line.trim());
        if (m && !TERMINAL.test(m[2]!)) out.set(Number(m[1]), m[2]!);
      }
      return out;
    }
    // A job that has left the queue entirely is "Invalid job id" to squeue: nothing queued.
    if (/invalid job id/i.test(r.all)) return out;
    if (k >= tries) throw new SimrunError('SLURM_FAILED', `squeue -j ${job} failed ${tries} times: ${said(r)}`);
    await new Promise((res) => setTimeout(res, 3000));
  }
}

/**
 * How a finished task ended (`FAILED, exit 2:0`), from sacct or, where accounting is off, scontrol; null when neither
 * knows (or cannot be run): it only explains a failure, it never decides one.
 */
export async function taskEnd(job: string, task: number): Promise<string | null> {
  const id = `${job}_${task}`;
  try {
    const acct = await slurmTool('sacct', ['-n', '-P', '-X', '-j', id, '-o', 'State,ExitCode']);
    const row = acct.exitCode === 0 ? acct.stdout.trim().split('\n')[0] : undefined;
    if (row && row.includes('|')) {
      const [state, exit] = row.split('|');
      return `${state}, exit ${exit}`;
    }
  } catch {
    // no sacct: try scontrol
  }
  try {
    const ctl = await slurmTool('scontrol', ['-o', 'show', 'job', id]);
    const state = /JobState=(\S+)/.exec(ctl.stdout)?.[1], exit = /ExitCode=(\S+)/.exec(ctl.stdout)?.[1];
    return state ? `${state}, exit ${exit ?? '?'}` : null;
  } catch {
    return null;
  }
}
