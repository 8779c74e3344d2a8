// The tests' SLURM cluster is the bench's (bench/slurmCluster.ts): one real single-node cluster, brought up and torn down.
export { startSlurm, type SlurmCluster } from '../../bench/slurmCluster.js';
