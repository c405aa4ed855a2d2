import { describe, expect, it } from 'vitest';
import { DatasetNotFoundError } from './errors.js';
import { definePlugin, type DatasetPlugin } from './plugin.js';
import { DatasetRegistry } from './registry.js';

const declaration = (name: string): DatasetPlugin => ({
  name,
  description: `${name} test set`,
  classes: ['a', 'b'],
  source: 'generated',
  files: [{ name: 'x.gz', md5: '0123456789abcdef0123456789abcdef' }],
  mirrors: ['http://127.0.0.1:9'],
  build: async () => ({ train: { images: new Uint8Array(2), labels: new Int32Array([0, 1]), count: 2, height: 1, width: 1, channels: 1 } }),
});
const plugin = (name: string) => definePlugin(declaration(name));

describe('DatasetRegistry', () => {
  const registry = new DatasetRegistry([plugin('mnist'), plugin('mnist160'), plugin('fashion-mnist')]);

  it('resolves a registered name, case-insensitively', () => {
    expect(registry.get('MNIST160').name).toBe('mnist160');
  });

  it('rejects an unknown name with the known names and the closest match', () => {
    expect(() => registry.get('minst')).toThrow(DatasetNotFoundError);
    expect(() => registry.get('minst')).toThrow(/unknown dataset 'minst'\. Did you mean 'mnist'\?/);
    expect(() => registry.get('fashion_mnist')).toThrow(/Did you mean 'fashion-mnist'/);
    expect(() => registry.get('cifar10')).toThrow(/Known datasets: fashion-mnist, mnist, mnist160/);
    expect(() => registry.get('cifar10')).not.toThrow(/Did you mean/);
  });

  it('refuses a duplicate name instead of replacing the first plugin', () => {
    const r = new DatasetRegistry([plugin('mnist')]);
    expect(() => r.register(plugin('mnist'))).toThrow(/already registered/);
    expect(r.names()).toEqual(['mnist']);
  });
});

describe('definePlugin', () => {
  it('checks the declaration and names the plugin', () => {
    expect(() => plugin('Bad Name')).toThrow(/lower-case/);
    expect(() => definePlugin({ ...declaration('x'), classes: ['A', 'A'] })).toThrow(/'x': class names must be unique/);
    expect(() => definePlugin({ ...declaration('x'), classes: ['a/b', 'a_b'] })).toThrow(/same folder name 'a_b'/);
    expect(() => definePlugin({ ...declaration('x'), files: [{ name: 'x.gz' }] })).toThrow(/'x.gz' needs a checksum/);
    expect(() => definePlugin({ ...declaration('x'), files: [{ name: 'x.gz', md5: 'ABC' }] })).toThrow(/not lower-case hex/);
    expect(() => definePlugin({ ...declaration('x'), mirrors: [] })).toThrow(/needs mirrors or an offline copy/);
  });

  it('freezes the declaration', () => {
    const p = plugin('x');
    expect(Object.isFrozen(p) && Object.isFrozen(p.classes) && Object.isFrozen(p.files)).toBe(true);
  });
});
