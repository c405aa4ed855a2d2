import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { contentName, fileId, verifyContent, type DatasetFile } from './dataset-file.js';
import { downloadFile, type DownloadOptions } from './download.js';
import { DatasetNotFoundError } from './errors.js';
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
 * else downloaded (or found already downloaded) from the mirrors.
 */
export async function fetchFiles(plugin: DatasetPlugin, options: FetchOptions): Promise<SourceFiles> {
  const log = options.log ?? (() => {});
  const local = new Map<string, { path: string; compressed: boolean }>();
  for (const file of plugin.files) {
    if (!options.mirrors && plugin.offline) {
      try {
        const path = join(plugin.offline(), contentName(file));
        await verifyContent(path, file);
        local.set(file.name, { path, compressed: false });
        continue;
      } catch (error) {
        log(`WARNING offline copy of ${file.name} unusable (${(error as Error).message}); downloading it`);
      }
    }
    const mirrors = options.mirrors ?? plugin.mirrors;
    const path = join(options.datasetsDir, 'downloads', fileId(file), file.name);
    await downloadFile(file, mirrors.map((m) => mirrorUrl(m, file)), path, options);
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
