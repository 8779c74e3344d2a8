// tfjs-core for the golden, loaded through require: importing its CommonJS bundle as an ES module makes Node parse
// megabytes of source for its export names (about 150 ms in every thread that runs the golden). One instance per thread.
import { createRequire } from 'node:module';
import type * as TfCore from '@tensorflow/tfjs-core';

/** Loads a CommonJS package from this folder, as Node's require would. */
export const requirePackage = createRequire(import.meta.url);

/** tfjs-core's API. */
export const tf = requirePackage('@tensorflow/tfjs-core') as typeof TfCore;

/** A tfjs tensor of any rank. */
export type Tensor = TfCore.Tensor;
/** A rank-3 tfjs tensor. */
export type Tensor3D = TfCore.Tensor3D;
