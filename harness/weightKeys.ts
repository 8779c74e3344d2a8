// `simrun weights --keys`: the safetensors state-dict keys (and shapes) a network expects, from the same key scheme the
// reader uses, so a user can export a PyTorch model that loads.
import { loadSpec } from '../core/spec.js';
import { stateDictKeys } from '../core/weights/safetensors.js';

/** One expected tensor. */
export interface WeightKey {
  readonly key: string;
  readonly shape: readonly number[];
  readonly meaning: string;
}

/** Every tensor `config` needs, in network order. */
export function weightKeys(config: string): WeightKey[] {
  return stateDictKeys(loadSpec(config).layers);
}
