import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic.js';
import { classFolders } from './class-folders.js';
import { DataFormatError, YoloTsError } from './errors.js';
import { fetchFiles, mirrorsFromEnv, type FetchOptions } from './fetch-files.js';
import { cacheFile, writeSplitCache } from './image-cache.js';
import { listingKey, type SplitListing } from './image-listing.js';
import { treeOrder, writeSplitTree } from './image-tree.js';
import { DATA_YAML, formatDataYaml, SPLITS, type SplitName } from './layout.js';
import { withLock } from './lock.js';
import type { DatasetPlugin, SourceSplit, SourceSplits } from './plugin.js';
import { startProgress } from './progress.js';

export type PrepareOptions = FetchOptions;

/** `<datasetsDir>/<name>`: where the dataset `name` is prepared. */
export function datasetRoot(datasetsDir: string, name: string): string {
  return join(datasetsDir, name);
}

/** Whether `<datasetsDir>/<name>` holds a finished tree (its data.yaml is written last). */
export async function isPrepared(datasetsDir: string, name: string): Promise<boolean> {
  return stat(join(datasetRoot(datasetsDir, name), DATA_YAML)).then(() => true, () => false);
}

/** Checks what a plugin's build returned, so a plugin bug is reported as such and not as garbage images. */
function checkSplit(plugin: DatasetPlugin, name: string, s: SourceSplit): void {
  const where = `dataset plugin '${plugin.name}', split ${name}`;
  if (s.channels !== 1 && s.channels !== 3) throw new DataFormatError(`${where}: ${s.channels} channels; PNG trees hold 1 (gray) or 3 (RGB)`);
  if (s.images.length !== s.count * s.height * s.width * s.channels) throw new DataFormatError(`${where}: ${s.images.length} bytes of pixels for ${s.count} images of ${s.height}x${s.width}x${s.channels}`);
  if (s.labels.length !== s.count || (s.sourceIndex && s.sourceIndex.length !== s.count)) throw new DataFormatError(`${where}: ${s.count} images but ${s.labels.length} labels`);
  const bad = s.labels.findIndex((l) => l < 0 || l >= plugin.classes.length);
  if (bad >= 0) throw new DataFormatError(`${where}: label ${s.labels[bad]} of image ${bad} is not one of the ${plugin.classes.length} classes`);
}

/**
 * Prepares dataset `plugin` in `<datasetsDir>/<name>/`: fetches and verifies its files, builds its splits,
 * writes them as `<split>/<class folder>/<index>.png`, a cache file per split and `data.yaml`, and returns
 * that folder. A prepared dataset is returned at once. The tree is written beside it and renamed into place,
 * and a lock makes a concurrent preparation (in any process) wait and then use this one's result.
 */
export async function prepareDataset(plugin: DatasetPlugin, options: PrepareOptions): Promise<string> {
  const log = options.log ?? (() => {});
  const root = datasetRoot(options.datasetsDir, plugin.name);
  if (await isPrepared(options.datasetsDir, plugin.name)) return root;
  await mkdir(options.datasetsDir, { recursive: true });
  return withLock(
    join(options.datasetsDir, `.${plugin.name}.lock`),
    async () => {
      if (await isPrepared(options.datasetsDir, plugin.name)) return root;
      if (await stat(root).then(() => true, () => false)) {
        throw new YoloTsError(`${root} exists but was not prepared by yolo-ts (no ${DATA_YAML}): move it away to prepare ${plugin.name} here, or train on it with data=${root}`);
      }
      const started = performance.now();
      const tmp = join(options.datasetsDir, `.${plugin.name}.tmp`);
      const workDir = join(options.datasetsDir, `.${plugin.name}.work`);
      await rm(tmp, { recursive: true, force: true });
      await rm(workDir, { recursive: true, force: true });
      await mkdir(workDir, { recursive: true });
      try {
        const files = await fetchFiles(plugin, { ...options, mirrors: options.mirrors ?? mirrorsFromEnv() });
        const splits: SourceSplits = await plugin.build({ files, workDir, log });
        const present = SPLITS.filter((s) => splits[s]) as SplitName[];
        for (const s of present) checkSplit(plugin, s, splits[s]!);
        const folders = classFolders(plugin.classes);
        const total = present.reduce((n, s) => n + splits[s]!.count, 0);
        const progress = startProgress(`Writing ${total} PNG images to ${root}`, 'images', { log, tty: options.tty });
        const ordered = present.map((s) => treeOrder(splits[s]!, plugin.classes.length));
        for (const [i, s] of present.entries()) await writeSplitTree(join(tmp, s), ordered[i]!.split, ordered[i]!.names, folders, progress);
        progress.finish();
        const listings = Object.fromEntries(present.map((s, i) => [s, ordered[i]!.listing])) as Partial<Record<SplitName, SplitListing>>;
        const key = listingKey(listings, folders);
        for (const [i, s] of present.entries()) await writeSplitCache(cacheFile(tmp, s, key), ordered[i]!.split);
        await writeFileAtomic(join(tmp, DATA_YAML), formatDataYaml({ name: plugin.name, source: plugin.source, splits: present, classes: plugin.classes, folders }));
        await rename(tmp, root);
        log(`${plugin.name}: ${total} images prepared in ${((performance.now() - started) / 1000).toFixed(1)}s, saved to ${root}`);
        return root;
      } finally {
        await rm(workDir, { recursive: true, force: true });
        await rm(tmp, { recursive: true, force: true });
      }
    },
    { log },
  );
}
