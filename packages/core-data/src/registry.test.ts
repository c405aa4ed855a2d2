import { describe, expect, it } from 'vitest';
import { DatasetNotFoundError } from './errors.js';
import { definePlugin } from './plugin.js';
import { DatasetRegistry } from './registry.js';

const plugin = (name: string) =>
  definePlugin({
    name,
    description: `${name} test set`,
    classes: ['a', 'b'],
    source: 'generated',
    load: async () => {
      const split = { images: new Uint8Array(4), labels: new Int32Array([0, 1]), count: 2, height: 1, width: 2, channels: 1 };
      return { name, classes: ['a', 'b'], train: split };
    },
  });

describe('DatasetRegistry', () => {
  const registry = new DatasetRegistry([plugin('mnist'), plugin('mnist160'), plugin('fashion-mnist')]);

  it('resolves a registered name, case-insensitively', async () => {
    expect(registry.get('MNIST160').name).toBe('mnist160');
    expect((await registry.get('mnist').load({ datasetsDir: '.', log: () => {} })).train.count).toBe(2);
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

  it('definePlugin checks the declaration', () => {
    expect(() => plugin('Bad Name')).toThrow(/lower-case/);
    expect(() => definePlugin({ ...plugin('x'), classes: ['A', 'a'] })).toThrow(/unique ignoring case/);
  });
});
