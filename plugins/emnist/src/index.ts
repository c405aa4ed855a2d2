import { DatasetUnavailableError, definePlugin } from '@yolo-ts/core-data';

const DIGITS = '0123456789'.split('');
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'.split('');
/** EMNIST balanced/bymerge: digits, upper case, and the 11 lower-case letters that differ from their capitals. */
export const EMNIST_BALANCED_CLASSES = [...DIGITS, ...UPPER, ...'abdefghnqrt'.split('')];

/** `data=emnist`: EMNIST's balanced split (47 classes), the one without class imbalance. */
export const emnistPlugin = definePlugin({
  name: 'emnist',
  description: 'EMNIST balanced: handwritten digits and letters, 47 classes, 112,800 train / 18,800 test',
  // Upper and lower case share a folder name on case-insensitive file systems, hence the suffixes.
  classes: EMNIST_BALANCED_CLASSES.map((c) => (c >= 'a' && c <= 'z' ? `${c}_lower` : c)),
  source: "official NIST archive 'gzip.zip' (download)",
  defaults: { fliplr: 0 },
  async load() {
    throw new DatasetUnavailableError(
      "emnist: yolo-ts ships no offline copy and cannot download it yet; use data=mnist, or a folder of images with train/ and val/ subfolders",
    );
  },
});

export default emnistPlugin;
