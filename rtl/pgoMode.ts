// The --rtl-pgo modes, in a module of their own with no imports: the command line names them without loading the
// Verilator driver (command handlers load what they need only when their command runs).

/** --rtl-pgo: always, never, or when it pays (a long run of a large design, or a profiled build already cached). */
export type PgoMode = 'on' | 'off' | 'auto';

/** The modes, for the command line. */
export const PGO_MODES: readonly PgoMode[] = ['auto', 'on', 'off'];
