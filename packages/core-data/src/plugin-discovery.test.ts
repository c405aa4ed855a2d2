import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { discoverPlugins, nodeModulesFolders } from './plugin-discovery.js';

const plugin = (name: string) => `{ name: '${name}', description: '${name} images', classes: ['a', 'b'], source: 'test', files: [{ name: 'x.gz', md5: 'aa' }], mirrors: ['http://127.0.0.1:9'], build: async () => ({}) }`;

async function pkg(dir: string, name: string, manifest: object, files: Record<string, string>): Promise<void> {
  const root = join(dir, 'node_modules', name);
  await mkdir(root, { recursive: true });
  await writeFile(join(root, 'package.json'), JSON.stringify({ name, type: 'module', ...manifest }));
  for (const [file, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, file)), { recursive: true });
    await writeFile(join(root, file), text);
  }
}

describe('discoverPlugins', () => {
  it('loads yolo-ts-plugin-* and @scope/yolo-ts-plugin-* packages and reports broken ones', async () => {
    const project = await mkdtemp(join(tmpdir(), 'yolo-ts-plugins-'));
    await pkg(project, 'yolo-ts-plugin-foo', { exports: { '.': { import: './dist/index.js' } } }, { 'dist/index.js': `export default ${plugin('foo')};` });
    await pkg(project, '@acme/yolo-ts-plugin-letters', { main: 'main.js' }, { 'main.js': `export default [${plugin('acme-a')}, ${plugin('acme-b')}];` });
    await pkg(project, 'yolo-ts-plugin-broken', {}, { 'index.js': 'export const nothing = 1;' });
    await pkg(project, 'not-a-plugin', {}, { 'index.js': 'throw new Error("must not be imported");' });

    const found = await discoverPlugins(nodeModulesFolders(join(project, 'src')));
    expect([...found.plugins.keys()].sort()).toEqual(['@acme/yolo-ts-plugin-letters', 'yolo-ts-plugin-foo']);
    expect(found.plugins.get('@acme/yolo-ts-plugin-letters')!.map((p) => p.name)).toEqual(['acme-a', 'acme-b']);
    expect(found.problems).toEqual([expect.stringMatching(/^dataset plugin package yolo-ts-plugin-broken \(.*\) ignored: its default export is not a plugin from definePlugin/)]);
  });

  it('lists node_modules folders from a folder up to the root', () => {
    expect(nodeModulesFolders('/a/b')).toEqual(['/a/b/node_modules', '/a/node_modules', '/node_modules']);
    expect(nodeModulesFolders('/a/node_modules/x')).toEqual(['/a/node_modules/x/node_modules', '/a/node_modules', '/node_modules']);
  });
});
