import type * as tf from '@tensorflow/tfjs';
import { YoloTsError, closestMatch } from '@yolo-ts/core-data';
import { cnnBn, cnnSmall } from './cnn.js';
import type { BuildOptions, ModelSpec } from './spec.js';
import { yolo26ClsSpecs } from './yolo26-cls.js';

export class ModelNotFoundError extends YoloTsError {
  static override readonly code: string = 'E_MODEL_NOT_FOUND';
}

/** Named model builders; `model=` values resolve here, with Ultralytics' `.yaml`/`.pt` spellings accepted. */
export class ModelRegistry {
  readonly #specs = new Map<string, ModelSpec>();

  constructor(specs: Iterable<ModelSpec> = []) {
    for (const s of specs) this.register(s);
  }

  register(spec: ModelSpec): this {
    if (this.#specs.has(spec.name)) throw new ModelNotFoundError(`model '${spec.name}' is already registered`);
    this.#specs.set(spec.name, spec);
    return this;
  }

  /** The spec for `name`, ignoring a `.yaml`/`.pt` suffix; unknown names fail with a suggestion. */
  get(name: string): ModelSpec {
    const key = name.toLowerCase().replace(/\.(ya?ml|pt)$/, '');
    const spec = this.#specs.get(key);
    if (spec) return spec;
    const near = closestMatch(key, this.#specs.keys());
    throw new ModelNotFoundError(`unknown model '${name}'.${near ? ` Did you mean '${near}'?` : ''} Known models: ${this.names().join(', ')} (or a path to a saved model folder).`);
  }

  build(name: string, options: BuildOptions): tf.LayersModel {
    return this.get(name).build(options);
  }

  names(): string[] {
    return [...this.#specs.keys()].sort();
  }
}

/** The models yolo-ts ships. */
export function defaultModelRegistry(): ModelRegistry {
  return new ModelRegistry([...yolo26ClsSpecs, cnnSmall, cnnBn]);
}
