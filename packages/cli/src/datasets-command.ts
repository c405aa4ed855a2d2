import { resolve } from 'node:path';
import { datasetRoot, isPrepared, prepareDataset } from '@yolo-ts/core-data';
import { datasetRegistry, datasetsDir } from '@yolo-ts/trainer';
import { UsageError } from './parse-args.js';

/** `yolo-ts datasets`: every known dataset with its classes, whether it is prepared here, and its source. */
async function listDatasets(): Promise<void> {
  const dir = datasetsDir();
  console.log(`${'name'.padEnd(16)}${'classes'.padStart(7)}  ${'prepared'.padEnd(9)}description (datasets dir: ${resolve(dir)})`);
  for (const p of (await datasetRegistry(console.warn, { all: true })).list()) {
    const prepared = (await isPrepared(dir, p.name)) ? 'yes' : 'no';
    console.log(`${p.name.padEnd(16)}${String(p.classes.length).padStart(7)}  ${prepared.padEnd(9)}${p.description}\n${''.padEnd(34)}source: ${p.source}`);
  }
}

/**
 * `yolo-ts datasets [prepare NAME | path NAME]`. prepare downloads, verifies, converts and caches without
 * training; path prints where the dataset's tree is (or will be).
 */
export async function datasetsCommand(action: string | undefined, name: string | undefined): Promise<void> {
  if (!action) return listDatasets();
  if (action !== 'prepare' && action !== 'path') throw new UsageError(`unknown datasets action '${action}': use 'yolo-ts datasets', 'yolo-ts datasets prepare NAME' or 'yolo-ts datasets path NAME'`);
  if (!name) throw new UsageError(`'yolo-ts datasets ${action}' needs a dataset name, e.g. 'yolo-ts datasets ${action} mnist'`);
  const plugin = (await datasetRegistry(console.warn, { data: name })).get(name);
  if (action === 'prepare') {
    console.log(resolve(await prepareDataset(plugin, { datasetsDir: datasetsDir(), log: console.log })));
    return;
  }
  if (!(await isPrepared(datasetsDir(), plugin.name))) console.warn(`${plugin.name} is not prepared yet: 'yolo-ts datasets prepare ${plugin.name}' or the first training run will make it`);
  console.log(resolve(datasetRoot(datasetsDir(), plugin.name)));
}
