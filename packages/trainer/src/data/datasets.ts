import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DatasetNotFoundError,
  DatasetRegistry,
  discoverPlugins,
  fileSystemError,
  isMissingPath,
  loadImageFolder,
  nodeModulesFolders,
  prepareDataset,
  readLayout,
  type CacheMode,
  type DatasetPlugin,
  type LoadedDataset,
} from '@yolo-ts/core-data';
import { userSetting } from '../config/user-settings.js';
import { emnistPlugins } from '@yolo-ts/plugin-emnist';
import { fashionMnistPlugin } from '@yolo-ts/plugin-fashion-mnist';
import { mnistPlugin } from '@yolo-ts/plugin-mnist';
import { mnist160Plugin } from '@yolo-ts/plugin-mnist160';

/** The dataset plugins that ship with yolo-ts. */
export const BUILTIN_DATASETS: readonly DatasetPlugin[] = [mnistPlugin, mnist160Plugin, fashionMnistPlugin, ...emnistPlugins];

/** A registry holding the dataset plugins that ship with yolo-ts. */
export function defaultDatasetRegistry(): DatasetRegistry {
  return new DatasetRegistry(BUILTIN_DATASETS);
}

/** True when `data=` names a dataset that plugin package `pkg` is expected to provide: `yolo-ts-plugin-<data>`. */
export function packageFor(pkg: string, data: string | undefined): boolean {
  return data !== undefined && pkg.replace(/^@[^/]+\//, '') === `yolo-ts-plugin-${data.toLowerCase()}`;
}

/**
 * The built-in datasets plus those of plugin packages (`yolo-ts-plugin-*`, `@scope/yolo-ts-plugin-*`) installed
 * beside yolo-ts or in the node_modules of the working folder. Only packages listed in the settings' `plugins`, or
 * the one `data=` names (`data=kmnist` → `yolo-ts-plugin-kmnist`), are imported, or all with `all` (`yolo-ts
 * datasets`); a package that fails to load is reported and skipped.
 */
export async function datasetRegistry(log: (line: string) => void = console.warn, want: { data?: string; all?: boolean } = {}): Promise<DatasetRegistry> {
  const registry = defaultDatasetRegistry();
  const here = dirname(fileURLToPath(import.meta.url));
  const folders = [...new Set([...nodeModulesFolders(process.cwd()), ...nodeModulesFolders(here)])];
  const listed = userSetting('plugins');
  const found = await discoverPlugins(folders, (pkg) => want.all === true || listed.includes(pkg) || packageFor(pkg, want.data));
  for (const problem of found.problems) log(`WARNING ${problem}`);
  for (const [pkg, plugins] of found.plugins) {
    for (const plugin of plugins) {
      if (registry.has(plugin.name)) log(`WARNING dataset '${plugin.name}' of package ${pkg} ignored: the name is taken`);
      else registry.register(plugin);
    }
  }
  return registry;
}

/** Datasets live under YOLO_TS_DATASETS_DIR, else the settings' `datasets_dir` (default `datasets/` in the working folder, as Ultralytics). */
export function datasetsDir(): string {
  return userSetting('datasets_dir');
}

/** The `cache` setting as the loader takes it: Ultralytics' True means ram. */
export function cacheMode(setting: string): CacheMode {
  const s = setting.toLowerCase();
  return s === 'disk' ? 'disk' : s === 'ram' || s === 'true' ? 'ram' : false;
}

/** A resolved `data=`: its name, its training defaults, and how to load it. */
export interface DataSource {
  /** What `data=` should be to find this dataset again (saved in model metadata for `val`). */
  name: string;
  defaults: Readonly<Record<string, unknown>>;
  load(options: { cache: CacheMode; log: (line: string) => void }): Promise<LoadedDataset>;
}

/** Whether `path` is a file or folder; a path that cannot be looked at (permission, I/O) is said, not taken for absent. */
const exists = (path: string) =>
  stat(path).then(
    (s) => s.isDirectory() || s.isFile(),
    (error: unknown) => {
      if (isMissingPath(error)) return false;
      throw fileSystemError(error, `cannot read data=${path}`);
    },
  );

/**
 * Resolves `data=` as Ultralytics does: an existing folder (class folders under train/ and val/ or test/) or
 * a .yaml file naming one is read as it is; anything else is a dataset name, prepared on first use in
 * `<datasets dir>/<name>/` (downloaded, verified, converted to PNG, cached). An unknown name fails with the
 * known names and the closest one.
 */
export async function resolveData(data: string, registry: DatasetRegistry): Promise<DataSource> {
  if (await exists(data)) {
    return {
      name: data,
      defaults: {},
      load: async ({ cache, log }) => ({ ...(await loadImageFolder(await readLayout(data), { cache, log })), name: data }),
    };
  }
  if (/[\\/]|\.ya?ml$/i.test(data)) throw new DatasetNotFoundError(`data=${data}: no such folder or .yaml file`);
  const plugin = registry.get(data);
  return {
    name: plugin.name,
    defaults: plugin.defaults ?? {},
    load: async ({ cache, log }) => {
      const root = await prepareDataset(plugin, { datasetsDir: datasetsDir(), log });
      return { ...(await loadImageFolder(await readLayout(root), { cache, log })), name: plugin.name };
    },
  };
}

