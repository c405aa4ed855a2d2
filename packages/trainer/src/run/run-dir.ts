import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Creates and returns the run folder `project/name`, numbered as Ultralytics does (`train`, `train2`, ...)
 * when taken. The final `mkdir` is not recursive, so two runs started at once never share a folder.
 */
export async function createRunDir(project: string, name: string, existOk: boolean): Promise<string> {
  await mkdir(project, { recursive: true });
  for (let n = 1; ; n++) {
    const dir = join(project, n === 1 ? name : `${name}${n}`);
    try {
      await mkdir(dir);
      return dir;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (existOk) return dir;
    }
  }
}
