import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { DATASET_NAME, YoloTsError, replaceFolderAtomic } from '@yolo-ts/core-data';
import { pluginFiles } from './template.js';

/** The yolo-ts workspace root when `dir` lies inside one (its pnpm-workspace.yaml lists plugins/*). */
async function workspaceRoot(dir: string): Promise<string | undefined> {
  for (let d = resolve(dir); ; d = dirname(d)) {
    const yaml = await readFile(join(d, 'pnpm-workspace.yaml'), 'utf8').catch(() => undefined);
    if (yaml?.includes('plugins/*') && (await stat(join(d, 'packages', 'core-data')).then(() => true, () => false))) return d;
    if (dirname(d) === d) return undefined;
  }
}

/**
 * Writes a new plugin package for dataset `name` into `dir` (which must not exist yet), all files or none, and
 * returns the files written. Inside the yolo-ts workspace the package uses the workspace's core-data, elsewhere the published one.
 */
export async function createPlugin(name: string, dir: string, coreDataVersion: string): Promise<string[]> {
  if (!DATASET_NAME.test(name)) throw new YoloTsError(`'${name}' is not a dataset name: use lower-case letters, digits, '.', '_' or '-'`);
  if (await stat(dir).then(() => true, () => false)) throw new YoloTsError(`${dir} already exists; choose another folder or remove it`);
  const root = await workspaceRoot(dirname(resolve(dir)));
  const inWorkspace = root !== undefined && relative(join(root, 'plugins'), resolve(dir)).split(sep).length === 1;
  const files = pluginFiles(name, inWorkspace ? 'workspace:*' : `^${coreDataVersion}`);
  // Written whole into a temporary folder, then renamed: a failure leaves no half package that a rerun would refuse.
  await replaceFolderAtomic(resolve(dir), async (tmp) => {
    for (const [path, text] of Object.entries(files)) {
      await mkdir(dirname(join(tmp, path)), { recursive: true });
      await writeFile(join(tmp, path), text);
    }
  });
  return Object.keys(files);
}
