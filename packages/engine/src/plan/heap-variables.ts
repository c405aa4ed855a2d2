import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/**
 * The heap address of `variable`'s values, made safe to write in place. tfjs shares a buffer between tensors
 * (`clone`, `tf.variable(t)`, `assign` all take a reference, not a copy), so a variable whose buffer another tensor
 * still holds is first given a copy of its own; writing then changes the variable alone. Addresses change whenever
 * tfjs assigns a variable (setWeights, a restored checkpoint), so callers ask again before every use.
 */
export function ownedAddress(backend: BackendWasm, variable: tf.Variable): number {
  if (backend.refCount(variable.dataId) > 1) renewBuffers([variable]);
  return backend.getMemoryOffset(variable.dataId);
}

/**
 * Gives each variable a new buffer holding its values. tfjs' wasm kernels cache work keyed by a tensor's buffer
 * (XNNPACK's convolutions keep the filter they packed until that buffer is freed), so values written in place are
 * not seen by them: whatever was updated in place (a compiled step's weights, an in-place EMA) is renewed before
 * stock kernels run on it. One copy per variable; old buffers are freed when nothing else holds them.
 */
export function renewBuffers(variables: readonly tf.Variable[]): void {
  for (const variable of variables) {
    const copy = tf.tidy(() => tf.add(variable, tf.scalar(0)));
    variable.assign(copy);
    copy.dispose();
  }
}
