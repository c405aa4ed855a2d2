import { join } from 'node:path';
import { DataFormatError, definePlugin, extractZip, gunzipFile, readIdxSplits, type DatasetPlugin, type ImageSplit } from '@yolo-ts/core-data';

const DIGITS = [...'0123456789'];
const UPPER = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'];
const LOWER = [...'abcdefghijklmnopqrstuvwxyz'];
/** bymerge/balanced keep lower case only where it differs in shape from upper case (c, o, s, ... are merged). */
const DISTINCT_LOWER = [...'abdefghnqrt'];

/**
 * EMNIST's six splits (Cohen et al. 2017), their classes in label order and sizes (torchvision, TFDS). Letters
 * merges upper and lower case into 26 classes labelled 1–26 in the files (torchvision names them a–z).
 */
export const EMNIST_SPLITS = {
  balanced: { classes: [...DIGITS, ...UPPER, ...DISTINCT_LOWER], firstLabel: 0, train: 112_800, test: 18_800 },
  byclass: { classes: [...DIGITS, ...UPPER, ...LOWER], firstLabel: 0, train: 697_932, test: 116_323 },
  bymerge: { classes: [...DIGITS, ...UPPER, ...DISTINCT_LOWER], firstLabel: 0, train: 697_932, test: 116_323 },
  letters: { classes: LOWER, firstLabel: 1, train: 88_800, test: 14_800 },
  digits: { classes: DIGITS, firstLabel: 0, train: 240_000, test: 40_000 },
  mnist: { classes: DIGITS, firstLabel: 0, train: 60_000, test: 10_000 },
} as const;

export type EmnistSplit = keyof typeof EMNIST_SPLITS;

/** The one archive holding every split: md5 from torchvision, sha256 and size from TFDS. */
export const EMNIST_ZIP = { name: 'gzip.zip', md5: '58c8d27c78d21e728a6bc7b3cc06412e', sha256: 'fb9bb67e33772a9cc0b895e4ecf36d2cf35be8b709693c3564cea2a019fcda8e', bytes: 561_753_746 };

/** NIST's current address first (newer torchvision), then the original one. */
export const EMNIST_MIRRORS = ['https://biometrics.nist.gov/cs_links/EMNIST', 'https://www.itl.nist.gov/iaui/vip/cs_links/EMNIST'];

/**
 * EMNIST stores each image transposed (mirrored and rotated a quarter turn, as TFDS warns; torchvision leaves
 * it so). Transposing each square image back makes the PNGs upright.
 */
export function transposeImages(split: ImageSplit): ImageSplit {
  const { height: h, width: w } = split;
  const images = new Uint8Array(split.images.length);
  for (let i = 0, base = 0; i < split.count; i++, base += h * w) {
    for (let r = 0; r < h; r++) for (let c = 0; c < w; c++) images[base + c * h + r] = split.images[base + r * w + c]!;
  }
  return { ...split, images, height: w, width: h };
}

/** The plugin of one EMNIST split, named `emnist-<split>`; `data=emnist` is the balanced split. */
export function emnistSplitPlugin(split: EmnistSplit, name = `emnist-${split}`): DatasetPlugin {
  const info = EMNIST_SPLITS[split];
  const entry = (part: string) => `gzip/emnist-${split}-${part}.gz`;
  const pairs = { train: [entry('train-images-idx3-ubyte'), entry('train-labels-idx1-ubyte')], test: [entry('test-images-idx3-ubyte'), entry('test-labels-idx1-ubyte')] } as const;
  return definePlugin({
    name,
    description: `EMNIST ${split}: handwritten ${info.classes.length === 10 ? 'digits' : 'characters'}, ${info.classes.length} classes, ${info.train.toLocaleString('en')} train / ${info.test.toLocaleString('en')} test`,
    // Upper and lower case letters get apart folders ('a' → 'a_lower' beside 'A'), see classFolders.
    classes: info.classes,
    source: 'https://www.nist.gov/itl/products-and-services/emnist-dataset (download of all splits, 562 MB)',
    // As for MNIST: mirrored letters change meaning and crops cut the centred characters off.
    defaults: { fliplr: 0, scale: 0, degrees: 10, erasing: 0 },
    files: [EMNIST_ZIP],
    mirrors: EMNIST_MIRRORS,
    async build({ files, workDir, log }) {
      const wanted = new Set(Object.values(pairs).flat());
      log(`extracting the ${split} split from ${EMNIST_ZIP.name}`);
      const extracted = await extractZip(files.path(EMNIST_ZIP.name), workDir, (n) => wanted.has(n));
      const missing = [...wanted].find((n) => !extracted.includes(n));
      if (missing) throw new DataFormatError(`${files.path(EMNIST_ZIP.name)} has no entry ${missing}`);
      const splits = await readIdxSplits((n) => gunzipFile(join(workDir, n)), pairs, info.classes.length, { dataset: `EMNIST ${split}`, firstLabel: info.firstLabel });
      return { train: transposeImages(splits.train), test: transposeImages(splits.test) };
    },
  });
}

/** `data=emnist`: EMNIST's balanced split (47 classes, the same number of images in each). */
export const emnistPlugin = emnistSplitPlugin('balanced', 'emnist');

/** Every EMNIST plugin: `emnist` (balanced) and `emnist-byclass`, `-bymerge`, `-letters`, `-digits`, `-mnist`. */
export const emnistPlugins: readonly DatasetPlugin[] = [emnistPlugin, ...(['byclass', 'bymerge', 'letters', 'digits', 'mnist'] as const).map((s) => emnistSplitPlugin(s))];

export default emnistPlugins;
