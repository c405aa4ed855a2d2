import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '@yolo-ts/core-data';
import { ConfigError } from './config.js';

/**
 * The user-level settings file, as Ultralytics' `settings.json`: where datasets, runs and extra weights live and
 * which third-party dataset plugins load. Environment variables still win (YOLO_TS_DATASETS_DIR,
 * YOLO_TS_RUNS_DIR, YOLO_TS_WEIGHTS_DIR).
 */
export interface UserSettings {
  /** Where `data=NAME` datasets are prepared. */
  datasets_dir: string;
  /** Where runs go: `<runs_dir>/<task>/<name>` unless `project=` says otherwise. */
  runs_dir: string;
  /** Searched for `NAME/model.json` before the shipped weights when `model=NAME.pt`. */
  weights_dir: string;
  /** Third-party dataset plugin packages to load on every run (others load only when `data=` names them). */
  plugins: string[];
}

export const DEFAULT_USER_SETTINGS: Readonly<UserSettings> = Object.freeze({ datasets_dir: 'datasets', runs_dir: 'runs', weights_dir: 'weights', plugins: [] });

const ENV: Partial<Record<keyof UserSettings, string>> = { datasets_dir: 'YOLO_TS_DATASETS_DIR', runs_dir: 'YOLO_TS_RUNS_DIR', weights_dir: 'YOLO_TS_WEIGHTS_DIR' };

/** `$YOLO_TS_CONFIG_DIR/settings.json`, else `$XDG_CONFIG_HOME/yolo-ts/settings.json`, else `~/.config/yolo-ts/settings.json`. */
export function userSettingsFile(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env.YOLO_TS_CONFIG_DIR || join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'yolo-ts');
  return join(dir, 'settings.json');
}

/** The settings file's values over the defaults (the file need not exist). Read synchronously: it is tiny. */
export function readUserSettings(file = userSettingsFile()): UserSettings {
  if (!existsSync(file)) return { ...DEFAULT_USER_SETTINGS, plugins: [] };
  let stored: Partial<UserSettings>;
  try {
    stored = JSON.parse(readFileSync(file, 'utf8')) as Partial<UserSettings>;
  } catch (error) {
    throw new ConfigError(`settings file ${file} is not valid JSON (${(error as Error).message.split('\n')[0]}): fix it or run 'yolo-ts settings reset'`);
  }
  return { ...DEFAULT_USER_SETTINGS, ...checkStored(stored, file), plugins: [...(stored.plugins ?? [])] };
}

/** The file's content, refused with the fix when it is not an object of known keys with values of their types. */
function checkStored(stored: unknown, file: string): Partial<UserSettings> {
  const fix = `fix it, or run 'yolo-ts settings reset'`;
  if (typeof stored !== 'object' || stored === null || Array.isArray(stored)) throw new ConfigError(`settings file ${file} must hold a JSON object of settings: ${fix}`);
  for (const [key, value] of Object.entries(stored)) {
    if (!Object.hasOwn(DEFAULT_USER_SETTINGS, key)) throw new ConfigError(`settings file ${file}: '${key}' is not a yolo-ts setting (the settings are ${Object.keys(DEFAULT_USER_SETTINGS).join(', ')}): ${fix}`);
    const ok = key === 'plugins' ? Array.isArray(value) && value.every((v) => typeof v === 'string') : typeof value === 'string';
    if (!ok) throw new ConfigError(`settings file ${file}: '${key}' must be ${key === 'plugins' ? 'a list of package names' : 'a folder path (a string)'}, not ${JSON.stringify(value)}: ${fix}`);
  }
  return stored as Partial<UserSettings>;
}

/** One setting as a run uses it: its environment variable when set, else the file's value. */
export function userSetting<K extends keyof UserSettings>(key: K, env: NodeJS.ProcessEnv = process.env): UserSettings[K] {
  const variable = ENV[key];
  if (variable && env[variable]) return env[variable] as UserSettings[K];
  return readUserSettings(userSettingsFile(env))[key];
}

/** The folder of a task's runs when `project=` is not given: `<runs_dir>/<task>`. */
export function defaultProject(task: string): string {
  return join(userSetting('runs_dir'), task);
}

async function write(file: string, settings: UserSettings): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(settings, null, 2)}\n`);
}

/** `yolo-ts settings key=value ...`: checks each key and value, then writes them all at once. */
export async function updateUserSettings(changes: Record<string, string>, file = userSettingsFile()): Promise<UserSettings> {
  const settings = readUserSettings(file);
  for (const [key, value] of Object.entries(changes)) {
    if (!Object.hasOwn(DEFAULT_USER_SETTINGS, key)) throw new ConfigError(`'${key}' is not a yolo-ts setting: the settings are ${Object.keys(DEFAULT_USER_SETTINGS).join(', ')}`);
    if (key === 'plugins') settings.plugins = value.split(',').map((s) => s.trim()).filter(Boolean);
    else if (!value) throw new ConfigError(`settings ${key}= needs a value`);
    else settings[key as Exclude<keyof UserSettings, 'plugins'>] = value;
  }
  await write(file, settings);
  return settings;
}

/** `yolo-ts settings reset`: the defaults, written. */
export async function resetUserSettings(file = userSettingsFile()): Promise<UserSettings> {
  const settings = { ...DEFAULT_USER_SETTINGS, plugins: [] };
  await write(file, settings);
  return settings;
}
