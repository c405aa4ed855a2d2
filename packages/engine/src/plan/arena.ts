import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/** A buffer of the plan: `floats` floats at `address` (a heap byte offset, known once the arena is allocated). */
export interface Slot {
  floats: number;
  address: number;
}

/**
 * One heap allocation holding every activation, gradient and scratch buffer of a compiled step, laid out at
 * compile time: a step allocates nothing and tfjs sees one tensor. Scratch buffers are shared by name, sized
 * for their largest user, since the nodes run one after another.
 */
export class Arena {
  private readonly slots: { slot: Slot; offset: number }[] = [];
  private readonly scratch = new Map<string, Slot>();
  private tensor?: tf.Tensor;
  private floats = 0;

  /** A buffer of its own, 16-byte aligned (float64 accumulators and SIMD loads). */
  slot(floats: number): Slot {
    const slot = { floats, address: 0 };
    this.slots.push({ slot, offset: this.floats });
    this.floats += Math.ceil(Math.max(floats, 1) / 4) * 4;
    return slot;
  }

  /** A scratch buffer shared by everyone asking for `name`, at least `floats` long. */
  shared(name: string, floats: number): Slot {
    const slot = this.scratch.get(name) ?? { floats: 0, address: 0 };
    slot.floats = Math.max(slot.floats, floats);
    this.scratch.set(name, slot);
    return slot;
  }

  /** Allocates the whole arena on `backend`'s heap and gives every slot its address. */
  allocate(backend: BackendWasm): void {
    for (const slot of this.scratch.values()) {
      this.slots.push({ slot, offset: this.floats });
      this.floats += Math.ceil(Math.max(slot.floats, 1) / 4) * 4;
    }
    this.tensor = tf.zeros([this.floats + 4]);
    const base = Math.ceil(backend.getMemoryOffset(this.tensor.dataId) / 16) * 16;
    for (const { slot, offset } of this.slots) slot.address = base + 4 * offset;
  }

  /** Bytes held. */
  get bytes(): number {
    return 4 * this.floats;
  }

  dispose(): void {
    this.tensor?.dispose();
  }
}
