import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/**
 * The heap address of `variable`'s values, made safe to write in place. tfjs shares a buffer between tensors
 * (`clone`, `tf.variable(t)`, `assign` all take a reference, not a copy), so a variable whose buffer another tensor
 * still holds is first given a copy of its own; writing then changes the variable alone. Addresses change whenever
 * tfjs assigns a variable (setWeights, a restored checkpoint), so callers ask again before every use.
 */
export function ownedAddress(backend: BackendWasm, variable: tf.Variable): number {
  if (backend.refCount(variable.dataId) > 1) {
    const copy = tf.tidy(() => tf.add(variable, tf.scalar(0)));
    variable.assign(copy);
    copy.dispose();
  }
  return backend.getMemoryOffset(variable.dataId);
}
