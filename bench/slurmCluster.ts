// A real single-node SLURM cluster for the tests and the bench: its own munged (own socket), slurmctld and slurmd from
// Debian's slurm-wlm, with a slurm.conf generated for this host in a temporary folder, on free ports; torn down afterwards.
// Needs root (slurmd runs jobs as their user). Fails clearly when SLURM is not installed.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';

/** A running cluster: the environment its clients need, and how to stop it. */
export interface SlurmCluster {
  readonly env: Record<string, string>;
  readonly dir: string;
  stop(): void;
}

const TOOLS = ['munged', 'slurmctld', 'slurmd', 'sbatch', 'squeue', 'scontrol'];

function sh(cmd: string, args: string[], env: NodeJS.ProcessEnv): string {
  return execFileSync(cmd, args, { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Starts munged, slurmctld and slurmd; resolves once the node is idle and takes jobs. */
export async function startSlurm(): Promise<SlurmCluster> {
  const missing = TOOLS.filter((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0);
  if (missing.length) throw new Error(`SLURM is not installed (${missing.join(', ')} missing): apt-get install slurm-wlm munge`);
  const dir = mkdtempSync(join(tmpdir(), 'rowsim-slurm-'));
  for (const d of ['state', 'spool', 'log', 'munge']) mkdirSync(join(dir, d));
  const host = sh('hostname', ['-s'], process.env).trim();
  // Ports apart from a system SLURM's (6817/6818) and from another test run's.
  const base = 20000 + ((process.pid * 7) % 20000);
  const conf = join(dir, 'slurm.conf');
  const socket = join(dir, 'munge', 'munge.socket');
  writeFileSync(conf, [
    'ClusterName=rowsimtest', `SlurmctldHost=${host}`, 'SlurmUser=root', 'SlurmdUser=root',
    'AuthType=auth/munge', `AuthInfo=socket=${socket}`, 'CredType=cred/munge',
    `StateSaveLocation=${dir}/state`, `SlurmdSpoolDir=${dir}/spool`,
    `SlurmctldPidFile=${dir}/slurmctld.pid`, `SlurmdPidFile=${dir}/slurmd.pid`,
    `SlurmctldLogFile=${dir}/log/slurmctld.log`, `SlurmdLogFile=${dir}/log/slurmd.log`,
    `SlurmctldPort=${base}`, `SlurmdPort=${base + 1}`,
    // No cgroups in a container: track processes by their parent, bind nothing.
    'ProctrackType=proctrack/linuxproc', 'TaskPlugin=task/none', 'SchedulerType=sched/builtin',
    'SelectType=select/cons_tres', 'SelectTypeParameters=CR_Core',
    'JobAcctGatherType=jobacct_gather/none', 'AccountingStorageType=accounting_storage/none', 'JobCompType=jobcomp/none',
    'MpiDefault=none', 'ReturnToService=2', 'MinJobAge=600', 'SchedulerParameters=sched_interval=1',
    `NodeName=${host} CPUs=${cpus().length} State=UNKNOWN`,
    `PartitionName=rowsim Nodes=${host} Default=YES MaxTime=INFINITE State=UP`,
    '',
  ].join('\n'));
  const env = { ...process.env, SLURM_CONF: conf };
  sh('munged', ['--force', `--socket=${socket}`, `--pid-file=${dir}/munge/munged.pid`, `--seed-file=${dir}/munge/seed`, `--log-file=${dir}/log/munged.log`], env);
  sh('slurmctld', ['-f', conf], env);
  sh('slurmd', ['-f', conf], env);
  const stop = () => {
    for (const pid of ['slurmd.pid', 'slurmctld.pid', 'munge/munged.pid']) {
      try {
        process.kill(Number(readFileSync(join(dir, pid), 'utf8').trim()), 'SIGTERM');
      } catch {
        // not running
      }
    }
    // slurmd leaves job steps behind only if a test failed midway; they end with the daemons.
    setTimeout(() => rmSync(dir, { recursive: true, force: true }), 2000).unref();
  };
  for (let k = 0; k < 60; k++) {
    const state = spawnSync('sinfo', ['-h', '-o', '%t'], { encoding: 'utf8', env }).stdout.trim();
    if (state === 'idle') return { env: { SLURM_CONF: conf }, dir, stop };
    await new Promise((r) => setTimeout(r, 500));
  }
  const logs = ['slurmctld.log', 'slurmd.log'].map((f) => join(dir, 'log', f)).filter(existsSync).map((f) => readFileSync(f, 'utf8').split('\n').slice(-5).join('\n'));
  stop();
  throw new Error(`the test SLURM cluster did not come up within 30 s:\n${logs.join('\n')}`);
}
