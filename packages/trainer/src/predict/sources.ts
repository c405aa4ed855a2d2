import { existsSync } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import { dirname, extname, isAbsolute, join, relative, resolve } from 'node:path';
import { IMAGE_EXTENSIONS, prepareDataset, type DatasetRegistry } from '@yolo-ts/core-data';
import { glob, isDynamicPattern } from 'tinyglobby';
import { ConfigError } from '../config/config.js';
import { datasetsDir } from '../data/datasets.js';

/** The images a `source=` names, in order, and where each one's outputs go (its path under the source root). */
export interface ImageSource {
  /** Absolute paths. */
  paths: string[];
  /** For each path, the name its outputs keep (relative to a folder source, so class folders do not collide). */
  names: string[];
}

const isImage = (path: string) => (IMAGE_EXTENSIONS as readonly string[]).includes(extname(path).toLowerCase());

/** Every image file below `dir`, sorted by path. */
async function imagesBelow(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && isImage(e.name))
    .map((e) => join(e.parentPath, e.name))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

function fromFolder(root: string, paths: string[]): ImageSource {
  return { paths, names: paths.map((p) => relative(root, p).slice(0, -extname(p).length)) };
}

function fromList(paths: string[]): ImageSource {
  return { paths, names: paths.map((p) => p.slice(dirname(p).length + 1, -extname(p).length || undefined)) };
}

/**
 * Resolves `source=`: an image file, a folder (every image below it), a glob (`digits/*.png`), a `.txt` file of
 * paths (relative to it), or a dataset split `NAME/SPLIT` (`mnist160/test`, prepared on first use).
 */
export async function resolveSource(source: string, registry: DatasetRegistry): Promise<ImageSource> {
  if (isDynamicPattern(source)) {
    const paths = (await glob(source, { absolute: true, onlyFiles: true })).filter(isImage).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
    if (paths.length === 0) throw new ConfigError(`source=${source}: the pattern matches no image (${IMAGE_EXTENSIONS.join(' ')})`);
    return fromList(paths);
  }
  if (existsSync(source)) {
    const path = resolve(source);
    if ((await stat(path)).isDirectory()) {
      const paths = await imagesBelow(path);
      if (paths.length === 0) throw new ConfigError(`source=${source}: the folder holds no image (${IMAGE_EXTENSIONS.join(' ')})`);
      return fromFolder(path, paths);
    }
    if (extname(path).toLowerCase() === '.txt') {
      const lines = (await readFile(path, 'utf8')).split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
      return fromList(lines.map((l) => (isAbsolute(l) ? l : resolve(dirname(path), l))));
    }
    return fromList([path]);
  }
  const [name, split, ...rest] = source.split('/');
  if (name && split && rest.length === 0 && registry.has(name)) {
    const plugin = registry.get(name);
    const root = await prepareDataset(plugin, { datasetsDir: datasetsDir() });
    const dir = resolve(root, split);
    if (!existsSync(dir)) throw new ConfigError(`source=${source}: dataset '${name}' has no split '${split}' (${(await readdir(root)).filter((f) => !f.startsWith('.') && f !== 'data.yaml').join(', ')})`);
    return fromFolder(dir, await imagesBelow(dir));
  }
  throw new ConfigError(`source=${source}: no such file, folder or dataset split (give an image, a folder, a glob, a .txt list or e.g. 'mnist160/test')`);
}
