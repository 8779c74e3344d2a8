// Error type for every expected failure: a stable code, a one-line message naming the thing and the fix, optional location.

/** Stable error codes; bin/ maps each to an exit code. */
export type ErrorCode =
  | 'USAGE'
  | 'CONFIG_INVALID'
  | 'CONFIG_UNKNOWN_PRESET'
  | 'CONFIG_UNREADABLE'
  | 'PLAN_INFEASIBLE'
  | 'IMAGE_UNREADABLE'
  | 'IMAGE_UNSUPPORTED'
  | 'STIMULUS_NOT_FINITE'
  | 'WEIGHTS_INVALID'
  | 'MEMH_MALFORMED'
  | 'ROM_MALFORMED'
  | 'OUT_NOT_WRITABLE'
  | 'OUT_BUSY'
  | 'ENGINE_UNKNOWN'
  | 'VERILATOR_MISSING'
  | 'VERILATOR_FAILED'
  | 'SIM_DEADLOCK'
  | 'SIM_BUFFER_OVERFLOW'
  | 'BEAT_LOG_CORRUPT'
  | 'DESIGN_INVALID'
  | 'YOSYS_MISSING'
  | 'YOSYS_FAILED'
  | 'FST2VCD_MISSING'
  | 'SLURM_MISSING'
  | 'SLURM_FAILED'
  | 'INTERNAL';

/** Where in the design an error happened, when it applies. */
export interface ErrorLocation {
  readonly layer?: number;
  readonly row?: number;
  readonly col?: number;
  readonly cycle?: number;
}

/** An expected failure with a stable code; message is one line naming the thing and the fix. */
export class SimrunError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly where: ErrorLocation = {},
  ) {
    super(message);
    this.name = 'SimrunError';
  }
}

/**
 * Exit code for an error code: 2 bad input or usage, 3 a tool failure, 1 a design that fails (a deadlock or a row-buffer
 * overflow is the design disagreeing with the model, like a mismatch).
 */
export function exitCodeFor(code: ErrorCode): number {
  switch (code) {
    case 'VERILATOR_MISSING':
    case 'VERILATOR_FAILED':
    case 'YOSYS_MISSING':
    case 'YOSYS_FAILED':
    case 'FST2VCD_MISSING':
    case 'SLURM_MISSING':
    case 'SLURM_FAILED':
    case 'BEAT_LOG_CORRUPT':
    case 'INTERNAL':
      return 3;
    case 'SIM_DEADLOCK':
    case 'SIM_BUFFER_OVERFLOW':
      return 1;
    default:
      return 2;
  }
}
