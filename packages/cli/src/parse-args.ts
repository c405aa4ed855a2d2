import { YoloTsError, closestMatch } from '@yolo-ts/core-data';
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { SETTINGS, isIgnoredUltralyticsKey, unknownKeyMessage, type SettingKey } from '@yolo-ts/trainer';

export const TASKS = SETTINGS.task.choices;
export const MODES = SETTINGS.mode.choices;

/** A command line the user got wrong; its message is the one line we print. */
export class UsageError extends YoloTsError {
  static override readonly code: string = 'E_USAGE';
}

export interface ParsedCommand {
  task?: string;
  mode?: string;
  /** key=value settings, values still as typed (the trainer's config coerces and checks them). */
  settings: Record<string, string | boolean>;
  /** Things we fixed for the user and tell them about, as Ultralytics does. */
  warnings: string[];
}

/** Joins `key = value`, `key= value` and `key =value` into `key=value`, as Ultralytics' merge_equals_args. */
export function mergeEquals(words: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (w === '=' && out.length && i + 1 < words.length) out[out.length - 1] += `=${words[++i]}`;
    else if (w.endsWith('=') && w.length > 1 && i + 1 < words.length && !words[i + 1]!.includes('=')) out.push(w + words[++i]);
    else if (w.startsWith('=') && w.length > 1 && out.length) out[out.length - 1] += w;
    else out.push(w);
  }
  return out;
}

const isSetting = (k: string): k is SettingKey => Object.hasOwn(SETTINGS, k);

/**
 * Parses `[TASK] MODE key=value ...` (Ultralytics' grammar). Bare words are the task, the mode, or a bool
 * setting switched on; anything else is a UsageError naming the closest valid word.
 */
export function parseCommand(words: readonly string[]): ParsedCommand {
  const parsed: ParsedCommand = { settings: {}, warnings: [] };
  for (let word of mergeEquals(words)) {
    if (word.startsWith('--')) {
      parsed.warnings.push(`argument '${word}' does not require leading dashes '--', updating to '${word.slice(2)}'.`);
      word = word.slice(2);
    }
    const eq = word.indexOf('=');
    if (eq >= 0) {
      const key = word.slice(0, eq).trim();
      const value = word.slice(eq + 1).trim();
      if (!value) throw new UsageError(`missing '${key}' value: write '${key}=<value>'`);
      if (!isSetting(key) && !isIgnoredUltralyticsKey(key)) throw new UsageError(unknownKeyMessage(key));
      if (key === 'task') parsed.task = value;
      else if (key === 'mode') parsed.mode = value;
      else parsed.settings[key] = value;
    } else if ((TASKS as readonly string[]).includes(word)) {
      parsed.task = word;
    } else if ((MODES as readonly string[]).includes(word)) {
      parsed.mode = word;
    } else if ((isSetting(word) && SETTINGS[word].kind === 'bool') || isIgnoredUltralyticsKey(word)) {
      parsed.settings[word] = true;
    } else if (isSetting(word)) {
      throw new UsageError(`'${word}' is a valid yolo-ts argument but is missing an '=' sign to set its value, i.e. try '${word}=${SETTINGS[word].default}'`);
    } else {
      const near = closestMatch(word, [...TASKS, ...MODES, ...Object.keys(SETTINGS)]);
      throw new UsageError(`'${word}' is not a valid yolo-ts task, mode or argument.${near ? ` Did you mean '${near}'?` : ''} Run 'yolo-ts --help'.`);
    }
  }
  if (parsed.task !== undefined && !(TASKS as readonly string[]).includes(parsed.task)) {
    throw new UsageError(`invalid task '${parsed.task}'. Valid tasks are ${TASKS.join(', ')}`);
  }
  if (parsed.mode !== undefined && !(MODES as readonly string[]).includes(parsed.mode)) {
    const near = closestMatch(parsed.mode, MODES);
    throw new UsageError(`invalid mode '${parsed.mode}'.${near ? ` Did you mean '${near}'?` : ''} Valid modes are ${MODES.join(', ')}`);
  }
  return parsed;
}

/**
 * `cfg=file.yaml`: settings from a YAML file (e.g. from `yolo-ts copy-cfg`), which the command line overrides.
 * Its `task`, `mode` and null values are left out.
 */
export async function settingsFile(path: string): Promise<Record<string, unknown>> {
  let values: unknown;
  try {
    values = parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new UsageError(`cfg=${path}: ${(error as Error).message.split('\n')[0]}`);
  }
  if (!values || typeof values !== 'object') throw new UsageError(`cfg=${path} holds no key: value settings`);
  return Object.fromEntries(Object.entries(values).filter(([k, v]) => k !== 'task' && k !== 'mode' && v !== null));
}
