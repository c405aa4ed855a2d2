import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, parse } from 'node:path';
import { pathToFileURL } from 'node:url';
import { fileSystemError, isMissingPath } from './errors.js';
import { definePlugin, type DatasetPlugin } from './plugin.js';

/** Package names that are yolo-ts dataset plugins: `yolo-ts-plugin-*` and `@scope/yolo-ts-plugin-*`. */
export const PLUGIN_PACKAGE = /^(@[^/]+\/)?yolo-ts-plugin-[^/]+$/;

/** The node_modules folders Node would search from `dir`: `dir/node_modules`, then each parent's. */
export function nodeModulesFolders(dir: string): string[] {
  const out: string[] = [];
  for (let d = dir; ; d = dirname(d)) {
    if (parse(d).base !== 'node_modules') out.push(join(d, 'node_modules'));
    if (dirname(d) === d) return out;
  }
}

/** The names in `dir`, none where it does not exist; any other failure (permission, I/O) is said, not swallowed. */
async function entries(dir: string): Promise<string[]> {
  return readdir(dir).catch((error: unknown) => {
    if (isMissingPath(error)) return [];
    throw fileSystemError(error, 'cannot look for dataset plugins');
  });
}

/** The ESM entry file of the package in `dir`, from its package.json `exports` or `main`. */
async function entryFile(dir: string): Promise<string> {
  const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as { exports?: unknown; main?: string };
  let target: unknown = pkg.exports;
  if (target && typeof target === 'object' && '.' in target) target = (target as Record<string, unknown>)['.'];
  while (target && typeof target === 'object') {
    const conditions = target as Record<string, unknown>;
    target = conditions.import ?? conditions.node ?? conditions.default;
  }
  return join(dir, typeof target === 'string' ? target : (pkg.main ?? 'index.js'));
}

export interface FoundPlugins {
  /** Package name → its plugins. */
  plugins: Map<string, DatasetPlugin[]>;
  /** One line per package that could not be loaded. */
  problems: string[];
  /** Plugin packages installed but not imported (not wanted). */
  skipped: string[];
}

/**
 * Finds installed dataset plugin packages in `folders` (node_modules folders; the first holding a package name
 * wins, as in Node's resolution) and imports those `wanted` accepts (default all): installed code runs only when
 * asked for. A package's default export is a plugin or an array of them.
 */
export async function discoverPlugins(folders: readonly string[], wanted: (packageName: string) => boolean = () => true): Promise<FoundPlugins> {
  const found: FoundPlugins = { plugins: new Map(), problems: [], skipped: [] };
  for (const folder of folders) {
    const names: string[] = [];
    for (const name of await entries(folder)) {
      if (name.startsWith('@')) names.push(...(await entries(join(folder, name))).map((n) => `${name}/${n}`));
      else names.push(name);
    }
    for (const name of names.filter((n) => PLUGIN_PACKAGE.test(n) && !found.plugins.has(n) && !found.skipped.includes(n))) {
      if (!wanted(name)) {
        found.skipped.push(name);
        continue;
      }
      try {
        const module = (await import(pathToFileURL(await entryFile(join(folder, name))).href)) as { default?: unknown };
        const exported = Array.isArray(module.default) ? module.default : [module.default];
        if (!exported.every((p) => p && typeof p === 'object')) throw new TypeError('its default export is not a plugin from definePlugin(...) or an array of them');
        found.plugins.set(name, exported.map((p) => definePlugin(p as DatasetPlugin)));
      } catch (error) {
        found.problems.push(`dataset plugin package ${name} (${join(folder, name)}) ignored: ${(error as Error).message.split('\n')[0]}`);
      }
    }
  }
  return found;
}
