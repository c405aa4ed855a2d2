export { YoloTsError, DataFormatError, DatasetNotFoundError, DatasetUnavailableError } from './errors.js';
export { editDistance, closestMatch } from './suggest.js';
export { parseIdx, encodeIdx, type IdxArray } from './idx.js';
export { splitFromIdx, selectIndices, firstPerClass, classCounts, type ImageSplit, type LoadedDataset } from './split.js';
export { definePlugin, type DatasetPlugin, type LoadContext } from './plugin.js';
export { DatasetRegistry } from './registry.js';
export { hashFile, verifySha256 } from './checksum.js';
