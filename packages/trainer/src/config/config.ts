import { YoloTsError, closestMatch } from '@yolo-ts/core-data';
import { SETTINGS, defaultConfig, type RunConfig, type Setting, type SettingKey } from './defaults.js';
import { ignoredKeyWarning, isIgnoredUltralyticsKey } from './ultralytics-keys.js';

/** A bad setting: unknown key, wrong type or value out of range. The message is one line with a suggestion. */
/** A setting, value or combination that cannot run (the message names the fix). */
export class ConfigError extends YoloTsError {
  static override readonly code: string = 'E_CONFIG';
}

const KEYS = Object.keys(SETTINGS) as SettingKey[];

function isKey(key: string): key is SettingKey {
  return Object.hasOwn(SETTINGS, key);
}

/** Converts one raw value (a CLI string or a JS value) to the setting's type, or throws a ConfigError. */
export function coerceSetting(key: SettingKey, raw: unknown): RunConfig[SettingKey] {
  const s: Setting = SETTINGS[key];
  const shown = `'${key}=${String(raw)}'`;
  if (raw === null || (typeof raw === 'string' && raw.toLowerCase() === 'none')) {
    if (s.default === null) return null as never;
    throw new ConfigError(`${shown} is not allowed: '${key}' needs a value, e.g. '${key}=${s.default}'`);
  }
  switch (s.kind) {
    case 'bool': {
      if (typeof raw === 'boolean') return raw;
      const v = String(raw).toLowerCase();
      if (v === 'true') return true;
      if (v === 'false') return false;
      throw new ConfigError(`${shown} is of invalid type: '${key}' must be a bool, i.e. '${key}=True' or '${key}=False'`);
    }
    case 'int':
    case 'number':
    case 'fraction': {
      const v = typeof raw === 'number' ? raw : String(raw).trim() === '' ? NaN : Number(raw);
      if (!Number.isFinite(v)) throw new ConfigError(`${shown} is of invalid type: '${key}' must be a number, i.e. '${key}=${s.default}'`);
      if (s.kind === 'int' && !Number.isInteger(v)) throw new ConfigError(`${shown} is of invalid type: '${key}' must be an int, i.e. '${key}=${s.default}'`);
      if (s.kind === 'fraction' && (v < 0 || v > 1)) throw new ConfigError(`${shown} is an invalid value: '${key}' must be between 0.0 and 1.0`);
      if (s.min !== undefined && v < s.min) throw new ConfigError(`${shown} is an invalid value: '${key}' must be at least ${s.min}`);
      return v;
    }
    case 'choice': {
      const v = String(raw);
      const hit = s.choices!.find((c) => c.toLowerCase() === v.toLowerCase());
      if (hit !== undefined) return hit as never;
      const near = closestMatch(v, s.choices!);
      throw new ConfigError(`${shown} is an invalid value.${near ? ` Did you mean '${key}=${near}'?` : ''} Valid '${key}' values: ${s.choices!.join(', ')}`);
    }
    case 'string':
      return String(raw);
  }
}

/** Message for a key that is not a setting, naming the closest real one with its default. */
export function unknownKeyMessage(key: string): string {
  const near = closestMatch(key, KEYS) as SettingKey | undefined;
  const hint = near ? ` Similar arguments are i.e. '${near}=${SETTINGS[near].default}'.` : ` Valid arguments: ${KEYS.join(', ')}.`;
  return `'${key}' is not a valid yolo-ts argument.${hint}`;
}

/**
 * Merges, in increasing priority: the defaults table, the dataset's own defaults, then the user's settings.
 * Every user key is checked; the first bad one throws a ConfigError. Ultralytics' keys that yolo-ts does not use
 * are dropped with one `warn` line each.
 */
export function resolveConfig(user: Record<string, unknown>, datasetDefaults: Record<string, unknown> = {}, warn: (line: string) => void = console.warn): RunConfig {
  const config = defaultConfig() as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(datasetDefaults)) {
    if (isKey(key)) config[key] = coerceSetting(key, value);
  }
  for (const [key, value] of Object.entries(user)) {
    if (value === undefined) continue;
    if (isIgnoredUltralyticsKey(key)) {
      warn(ignoredKeyWarning(key));
      continue;
    }
    if (!isKey(key)) throw new ConfigError(unknownKeyMessage(key));
    config[key] = coerceSetting(key, value);
  }
  return config as unknown as RunConfig;
}
