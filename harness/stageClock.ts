// Wall time of a run's stages, for report.json and the bench's breakdown; laps are taken in order, never overlap.

/** One stage and the wall seconds it took. */
export interface StageTime {
  readonly stage: string;
  readonly seconds: number;
}

/**
 * Laps of a run. The first lap starts at the process's time origin, so it holds Node's start-up and module loading —
 * the part of a short run no stage of rowsim's own can see.
 */
export class StageClock {
  private last = 0;
  private readonly laps: StageTime[] = [];

  /** Closes the stage that ran since the previous lap (or since the process started). */
  lap(stage: string): void {
    const now = performance.now();
    this.laps.push({ stage, seconds: round3((now - this.last) / 1000) });
    this.last = now;
  }

  /** Every closed stage, in order, with their total. */
  result(): { readonly stages: readonly StageTime[]; readonly totalSeconds: number } {
    return { stages: [...this.laps], totalSeconds: round3(this.last / 1000) };
  }
}

function round3(s: number): number {
  return Math.round(s * 1000) / 1000;
}

/** "total 1.23 s: start-up 0.20, spec and plan 0.10, …" — one line for the terminal. */
export function timingText(t: ReturnType<StageClock['result']>): string {
  return `${t.totalSeconds.toFixed(2)} s (${t.stages.map((s) => `${s.stage} ${s.seconds.toFixed(2)}`).join(', ')})`;
}
