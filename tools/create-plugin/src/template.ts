/**
 * The files of a new dataset plugin package, `yolo-ts-plugin-<name>`: a declaration in the MNIST family's
 * format (gzipped IDX files, as Fashion-MNIST, KMNIST and EMNIST publish), a test that builds its tree from
 * fixture files served on 127.0.0.1, and a README saying what to fill in.
 */
export function pluginFiles(name: string, coreData: string): Record<string, string> {
  const pkg = `yolo-ts-plugin-${name}`;
  const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
  return {
    'package.json': json({
      name: pkg,
      version: '0.1.0',
      description: `${name} dataset for yolo-ts (data=${name})`,
      keywords: ['yolo-ts', 'yolo-ts-plugin', 'dataset'],
      type: 'module',
      main: './dist/index.js',
      types: './dist/index.d.ts',
      exports: { '.': { types: './dist/index.d.ts', import: './dist/index.js' } },
      files: ['dist'],
      scripts: { build: 'tsc -p tsconfig.json', test: 'vitest run' },
      dependencies: { '@yolo-ts/core-data': coreData },
      devDependencies: { '@types/node': '^20.19.0', typescript: '~5.9.3', vitest: '^4.1.0' },
    }),
    'tsconfig.json': json({
      compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, declaration: true, skipLibCheck: true, types: ['node'], rootDir: 'src', outDir: 'dist' },
      include: ['src'],
      exclude: ['src/**/*.test.ts'],
    }),
    'vitest.config.ts': `import { defineConfig } from 'vitest/config';\n\nexport default defineConfig({ test: { testTimeout: 60_000 } });\n`,
    'src/index.ts': `import { definePlugin, readIdxSplits, type DatasetFile } from '@yolo-ts/core-data';

/** Class names in label order: label i in the files is CLASSES[i]. */
export const CLASSES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

/**
 * The files as published, with their checksums: fill in the real ones (\`md5sum FILE\`, \`sha256sum FILE\`; add
 * \`contentSha256\`, the sha256 of the decompressed file, to also accept a mirror that re-compresses it).
 */
export const FILES = {
  trainImages: { name: 'train-images-idx3-ubyte.gz', md5: 'd41d8cd98f00b204e9800998ecf8427e' },
  trainLabels: { name: 'train-labels-idx1-ubyte.gz', md5: 'd41d8cd98f00b204e9800998ecf8427e' },
  testImages: { name: 't10k-images-idx3-ubyte.gz', md5: 'd41d8cd98f00b204e9800998ecf8427e' },
  testLabels: { name: 't10k-labels-idx1-ubyte.gz', md5: 'd41d8cd98f00b204e9800998ecf8427e' },
} satisfies Record<string, DatasetFile>;

/** \`data=${name}\`. */
export default definePlugin({
  name: '${name}',
  description: '${name}: 28x28 grayscale images, 10 classes',
  classes: CLASSES,
  source: 'https://example.com/${name}',
  // Base URLs tried in order; each file is fetched from <mirror>/<file name>.
  mirrors: ['https://example.com/${name}'],
  files: Object.values(FILES),
  // Settings this dataset changes, e.g. no horizontal flip for digits and letters.
  defaults: { fliplr: 0 },
  build: ({ files }) =>
    readIdxSplits(files.read, { train: [FILES.trainImages.name, FILES.trainLabels.name], test: [FILES.testImages.name, FILES.testLabels.name] }, CLASSES.length, {
      dataset: '${name}',
    }),
});
`,
    'src/index.test.ts': `import { createHash } from 'node:crypto';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { definePlugin, loadImageFolder, prepareDataset, readLayout } from '@yolo-ts/core-data';
import { idxFixture, serveFiles, type FileServer } from '@yolo-ts/core-data/testing';
import plugin, { FILES } from './index.js';

// Small files in the published format, served on 127.0.0.1: the test needs no network.
const train = idxFixture(40, 10);
const test = idxFixture(20, 10);
const published: Record<string, Uint8Array> = {
  [FILES.trainImages.name]: gzipSync(train.images),
  [FILES.trainLabels.name]: gzipSync(train.labels),
  [FILES.testImages.name]: gzipSync(test.images),
  [FILES.testLabels.name]: gzipSync(test.labels),
};

let server: FileServer;
beforeAll(async () => {
  server = await serveFiles(Object.fromEntries(Object.entries(published).map(([file, data]) => [\`/${name}/\${file}\`, data])));
});
afterAll(() => server.close());

describe('${name}', () => {
  it('builds <split>/<class>/<index>.png from its files', async () => {
    // The plugin as declared, but with the fixtures' checksums and the loopback mirror.
    const md5 = (data: Uint8Array) => createHash('md5').update(data).digest('hex');
    const fixture = definePlugin({ ...plugin, files: plugin.files.map((f) => ({ name: f.name, md5: md5(published[f.name]!) })), mirrors: [\`\${server.url}/${name}\`] });
    const root = await prepareDataset(fixture, { datasetsDir: await mkdtemp(join(tmpdir(), '${name}-')), tty: false });
    expect(await readdir(join(root, 'train'))).toEqual(plugin.classes.map(String).sort());
    const data = await loadImageFolder(await readLayout(root));
    expect([data.train.count, data.test?.count, data.classes]).toEqual([40, 20, [...plugin.classes]]);
  });
});
`,
    'README.md': `# ${pkg}

The \`${name}\` dataset for [yolo-ts](https://github.com/): once this package is installed beside yolo-ts,

\`\`\`bash
yolo-ts datasets                 # lists ${name}
yolo-ts classify train data=${name} epochs=3
\`\`\`

downloads the files declared in \`src/index.ts\`, checks their checksums, and trains on
\`datasets/${name}/{train,test}/<class>/<index>.png\`.

## To do before publishing

1. In \`src/index.ts\`, set \`description\`, \`source\`, \`mirrors\` and \`CLASSES\`, and list the published files with
   their real checksums in \`FILES\` (md5 and/or sha256 of each file as published).
2. If the files are not gzipped IDX pairs, change \`build\` to turn them into splits (\`{ train, test }\` of
   uint8 images and labels); \`@yolo-ts/core-data\` has IDX, gzip, zip and PNG helpers.
3. \`pnpm install && pnpm test\`: the test builds the tree from small files in the same format.
`,
  };
}
