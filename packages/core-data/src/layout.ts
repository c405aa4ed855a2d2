import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import { DataFormatError, DatasetNotFoundError } from './errors.js';

export const SPLITS = ['train', 'val', 'test'] as const;
export type SplitName = (typeof SPLITS)[number];

/** The file beside a dataset's split folders that names its classes (written by `prepare`, or by hand). */
export const DATA_YAML = 'data.yaml';

/** Where a dataset's images are: its split folders, and its classes in label order with their folder names. */
export interface DatasetLayout {
  name: string;
  /** The dataset root: its cache lives in `<root>/.cache/`. */
  root: string;
  /** Absolute folder of each split present; train is always there. */
  splits: Partial<Record<SplitName, string>> & { train: string };
  classes: string[];
  folders: string[];
}

/** What a data.yaml may hold: Ultralytics' keys, plus `folders` where a class's folder differs from its name. */
interface DataYaml {
  name?: string;
  path?: string;
  train?: string;
  val?: string;
  test?: string;
  names?: string[] | Record<string, string>;
  folders?: string[] | Record<string, string>;
}

/** Ultralytics' folder names for the validation split, in the order it looks for them. */
const VAL_FOLDERS = ['val', 'validation', 'valid'];

const isDir = (path: string) => stat(path).then((s) => s.isDirectory(), () => false);

/** A yaml list, or a map from index to value, as a list in index order. */
function listOf(value: DataYaml['names'], key: string, source: string): string[] | undefined {
  if (value === undefined) return undefined;
  const list = Array.isArray(value) ? value : Object.entries(value).sort(([a], [b]) => Number(a) - Number(b)).map(([, v]) => v);
  if (!list.every((v) => typeof v === 'string' || typeof v === 'number')) throw new DataFormatError(`${source}: '${key}' must list strings`);
  return list.map(String);
}

/** Subfolders of `dir`, sorted by name (hidden ones, like `.cache`, left out). */
export async function subfolders(dir: string): Promise<string[]> {
  return (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name).sort();
}

/**
 * Reads where a dataset's images are from a folder (`data=path/to/dir`: class folders under `train/` and
 * `val/`, `validation/`, `valid/` or `test/`, as Ultralytics expects; its data.yaml if it has one) or from a
 * yaml file (`data=file.yaml`: `path`, `train`, `val`, `test`, `names`, relative to the file).
 * Without `names`, classes are train's subfolders sorted by name, as Ultralytics numbers them.
 */
export async function readLayout(path: string): Promise<DatasetLayout> {
  const isYaml = /\.ya?ml$/i.test(path);
  if (!isYaml && !(await isDir(path))) {
    const file = await stat(path).then(() => true, () => false);
    throw new DatasetNotFoundError(file ? `'${path}' is a file: data= takes a folder (train/ and val/ or test/ class folders) or a .yaml file` : `dataset folder '${path}' does not exist`);
  }
  const yamlPath = isYaml ? path : join(path, DATA_YAML);
  let yaml: DataYaml = {};
  try {
    yaml = (parse(await readFile(yamlPath, 'utf8')) ?? {}) as DataYaml;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && isYaml) throw new DatasetNotFoundError(`dataset file '${path}' does not exist`);
    if (code !== 'ENOENT') throw new DataFormatError(`${yamlPath}: ${(error as Error).message.split('\n')[0]}`);
  }
  const root = resolve(isYaml ? dirname(path) : path, yaml.path ?? '.');
  const train = resolve(root, yaml.train ?? 'train');
  if (!(await isDir(train))) {
    throw new DatasetNotFoundError(`${root} has no train/ folder: a dataset folder needs train/ and val/ or test/, each with one folder of images per class`);
  }
  const splits: DatasetLayout['splits'] = { train };
  for (const [split, candidates] of [['val', VAL_FOLDERS], ['test', ['test']]] as const) {
    const named = yaml[split];
    for (const candidate of named ? [named] : candidates) {
      const dir = resolve(root, candidate);
      if (await isDir(dir)) {
        splits[split] = dir;
        break;
      }
      if (named) throw new DatasetNotFoundError(`${yamlPath}: ${split} folder ${dir} does not exist`);
    }
  }
  if (!splits.val && !splits.test) throw new DatasetNotFoundError(`${root} has train/ but no val/ or test/ folder to validate on; add one with the same class folders`);
  const classes = listOf(yaml.names, 'names', yamlPath) ?? (await subfolders(train));
  const folders = listOf(yaml.folders, 'folders', yamlPath) ?? classes;
  if (folders.length !== classes.length) throw new DataFormatError(`${yamlPath}: ${classes.length} names but ${folders.length} folders`);
  if (classes.length < 2) throw new DataFormatError(`${train}: found ${classes.length} class folder(s); a classifier needs at least 2`);
  return { name: yaml.name ?? basename(root), root, splits, classes, folders };
}

/** The data.yaml of a prepared dataset, so that its folder alone says what it holds (and `data=` can point at it). */
export function formatDataYaml(info: { name: string; source: string; splits: SplitName[]; classes: readonly string[]; folders: readonly string[] }): string {
  const index = (list: readonly string[]) => new Map(list.map((v, i) => [i, v])); // numeric keys, as Ultralytics writes names
  const differs = info.folders.some((f, i) => f !== info.classes[i]);
  const body = {
    name: info.name,
    source: info.source,
    path: '.',
    ...Object.fromEntries(info.splits.map((s) => [s, s])),
    nc: info.classes.length,
    names: index(info.classes),
    ...(differs ? { folders: index(info.folders) } : {}),
  };
  return `# ${info.name}, prepared by yolo-ts: <split>/<class folder>/<index in the source file>.png\n${stringify(body)}`;
}
