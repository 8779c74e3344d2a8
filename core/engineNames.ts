// The engines rowsim knows, by name, in the order pairs are formed: a leaf module, so that the engine interface and the
// faults aimed at engines can both name them without importing each other.

/** The engines rowsim knows, in the order pairs are formed (the earlier one is the reference of a pair). */
export const ENGINE_NAMES = ['golden', 'sim', 'rtl'] as const;
export type EngineName = (typeof ENGINE_NAMES)[number];
