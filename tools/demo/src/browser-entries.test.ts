// Each package's browser entry, bundled for a page as an app would bundle it: any Node built-in (node:fs,
// worker_threads, ...) that yolo-ts' own code imports is named with its importer. Third-party packages (tfjs)
// map their Node fallbacks away themselves (their package.json `browser` fields), so only our files count.
import { builtinModules } from 'node:module';
import { build, type Plugin } from 'vite';
import { describe, expect, it } from 'vitest';

const nodeBuiltins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

function refuseNodeBuiltins(found: string[]): Plugin {
  return {
    name: 'refuse-node-builtins',
    enforce: 'pre',
    resolveId(id, importer) {
      if ((nodeBuiltins.has(id) || id.startsWith('node:')) && !importer?.includes('/node_modules/')) found.push(`${id} (imported by ${importer})`);
      return null;
    },
  };
}

describe('browser entry points', () => {
  it.each(['@yolo-ts/core-data', '@yolo-ts/models', '@yolo-ts/engine', '@yolo-ts/trainer'])('%s bundles for a browser with no Node built-in', async (pkg) => {
    const found: string[] = [];
    const entry = '\0entry.js';
    await build({
      configFile: false,
      logLevel: 'silent',
      plugins: [
        refuseNodeBuiltins(found),
        { name: 'entry', resolveId: (id) => (id === 'entry.js' ? entry : null), load: (id) => (id === entry ? `export * from '${pkg}';` : null) },
      ],
      build: { write: false, minify: false, rollupOptions: { input: 'entry.js' } },
    });
    expect(found).toEqual([]);
  });

  it('the check sees a Node built-in where one is reached (the Node entry of core-data)', async () => {
    const found: string[] = [];
    const entry = '\0entry.js';
    await build({
      configFile: false,
      logLevel: 'silent',
      resolve: { conditions: ['node', 'import'] },
      plugins: [
        refuseNodeBuiltins(found),
        { name: 'entry', resolveId: (id) => (id === 'entry.js' ? entry : null), load: (id) => (id === entry ? "export * from '@yolo-ts/core-data';" : null) },
      ],
      build: { write: false, minify: false, rollupOptions: { input: 'entry.js' } },
    }).catch(() => undefined);
    expect(found.some((f) => f.startsWith('node:fs'))).toBe(true);
  });
});
