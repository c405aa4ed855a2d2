import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { contentName, fileId, verifyContent, verifyPublished, type DatasetFile } from './dataset-file.js';
import { downloadFile, type DownloadOptions } from './download.js';
import { DatasetNotFoundError, DownloadError } from './errors.js';
import { gunzipFile } from './gzip.js';
import type { DatasetPlugin, SourceFiles } from './plugin.js';

export interface FetchOptions extends DownloadOptions {
  /** Downloads go to `<datasetsDir>/downloads/<checksum>/<file name>`, shared by the datasets that use a file. */
  datasetsDir: string;
  /** Base URLs replacing the plugin's mirrors (YOLO_TS_MIRRORS); when given, offline copies are not used. */
  mirrors?: readonly string[];
}

/** YOLO_TS_MIRRORS as a list of base URLs, or undefined when it is not set. */
export function mirrorsFromEnv(env: NodeJS.ProcessEnv = process.env): string[] | undefined {
  const list = (env.YOLO_TS_MIRRORS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  return list.length ? list : undefined;
}

/** `<base>/<file name>`, whether or not the base ends with a slash. */
export function mirrorUrl(base: string, file: DatasetFile): string {
  return `${base.replace(/\/+$/, '')}/${file.name}`;
}

/**
 * Gets every file of `plugin`, verified: from its offline copy when there is one and no mirror override,
 * else downloaded (or found already downloaded) from the mirrors. An offline copy may hold a file decompressed
 * (`x`, checked by content sha256) or as published (`x.gz`, checked as a download is, so a re-compressed copy
 * passes by content); when it is unusable and the download fails too, the error gives both reasons.
 */
export async function fetchFiles(plugin: DatasetPlugin, options: FetchOptions): Promise<SourceFiles> {
  const log = options.log ?? (() => {});
  const local = new Map<string, { path: string; compressed: boolean }>();
  let offline: string | Error | undefined;
  if (!options.mirrors && plugin.offline) {
    try {
      offline = plugin.offline();
    } catch (error) {
      offline = error as Error;
      log(`${plugin.name}: ${offline.message}; downloading`);
    }
  }
  for (const file of plugin.files) {
    let offlineProblem = offline instanceof Error ? offline.message : undefined;
    if (typeof offline === 'string') {
      try {
        local.set(file.name, await offlineFile(offline, file));
        continue;
      } catch (error) {
        offlineProblem = (error as Error).message;
        log(`WARNING offline copy of ${file.name} unusable (${offlineProblem}); downloading it`);
      }
    }
    const mirrors = options.mirrors ?? plugin.mirrors;
    const path = join(options.datasetsDir, 'downloads', fileId(file), file.name);
    try {
      await downloadFile(file, mirrors.map((m) => mirrorUrl(m, file)), path, options);
    } catch (error) {
      if (error instanceof DownloadError && offlineProblem) throw new DownloadError(`${error.message}; no usable offline copy either: ${offlineProblem}`);
      throw error;
    }
    local.set(file.name, { path, compressed: true });
  }
  const get = (name: string) => {
    const f = local.get(name);
    if (!f) throw new DatasetNotFoundError(`dataset plugin '${plugin.name}' asked for '${name}', which is not among its files`);
    return f;
  };
  return {
    path: (name) => get(name).path,
    read: async (name) => {
      const f = get(name);
      return f.compressed && name.endsWith('.gz') ? gunzipFile(f.path) : readFile(f.path);
    },
  };
}

/** `file` in the offline folder `dir`: its decompressed content, else the published (compressed) file. */
async function offlineFile(dir: string, file: DatasetFile): Promise<{ path: string; compressed: boolean }> {
  const content = join(dir, contentName(file));
  if (existsSync(content) || content === join(dir, file.name)) {
    await verifyContent(content, file);
    return { path: content, compressed: false };
  }
  const published = join(dir, file.name);
  if (!existsSync(published)) throw new DatasetNotFoundError(`neither ${contentName(file)} nor ${file.name} is in ${dir}`);
  await verifyPublished(published, file, published);
  return { path: published, compressed: true };
}
