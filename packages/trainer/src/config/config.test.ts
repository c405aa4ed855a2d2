import { describe, expect, it } from 'vitest';
import { ConfigError, coerceSetting, resolveConfig } from './config.js';
import { defaultConfig } from './defaults.js';

describe('resolveConfig', () => {
  it('layers user settings over dataset defaults over the table', () => {
    const cfg = resolveConfig({ epochs: '3', batch: 32, fliplr: undefined, exist_ok: 'True' }, { fliplr: 0 });
    expect(cfg.epochs).toBe(3);
    expect(cfg.batch).toBe(32);
    expect(cfg.fliplr).toBe(0);
    expect(cfg.exist_ok).toBe(true);
    expect(defaultConfig().fliplr).toBe(0.5);
    expect(resolveConfig({ fliplr: '0.25' }, { fliplr: 0 }).fliplr).toBe(0.25);
  });

  it('names the closest key for a typo', () => {
    expect(() => resolveConfig({ epoch: 3 })).toThrow(ConfigError);
    expect(() => resolveConfig({ epoch: 3 })).toThrow("'epoch' is not a valid yolo-ts argument. Similar arguments are i.e. 'epochs=10'.");
    expect(() => resolveConfig({ zzzzzz: 1 })).toThrow(/Valid arguments: task, mode, model/);
  });

  it('checks types and ranges with one-line messages', () => {
    expect(() => coerceSetting('epochs', '2.5')).toThrow("'epochs=2.5' is of invalid type: 'epochs' must be an int, i.e. 'epochs=10'");
    expect(() => coerceSetting('epochs', 'ten')).toThrow(/must be a number/);
    expect(() => coerceSetting('epochs', '0')).toThrow(/must be at least 1/);
    expect(() => coerceSetting('lr0', '1.5')).toThrow(/between 0.0 and 1.0/);
    expect(() => coerceSetting('val', 'yes')).toThrow(/must be a bool/);
    expect(() => coerceSetting('device', 'wsam')).toThrow("'device=wsam' is an invalid value. Did you mean 'device=wasm'? Valid 'device' values: auto, tensorflow, wasm, cpu");
    expect(coerceSetting('optimizer', 'adam')).toBe('Adam');
    expect(coerceSetting('name', 'None')).toBe(null);
    expect(() => coerceSetting('epochs', 'none')).toThrow(/needs a value/);
  });
});
