/**
 * `@yolo-ts/core-data` in a browser (the `browser` condition of its exports): the parts with no Node built-in —
 * errors, suggestions, IDX parsing and in-memory splits. Files, downloads, caches and plugin discovery are Node's.
 */
export { YoloTsError, DataFormatError, ChecksumError, DatasetNotFoundError, DatasetUnavailableError, DownloadError, FileSystemError, fileSystemError, isMissingPath, type ErrorKind } from './errors.js';
export { editDistance, closestMatch } from './suggest.js';
export { parseIdx, encodeIdx, type IdxArray } from './idx.js';
export { splitFromIdx, idxSplit, readIdxSplits, selectIndices, firstPerClass, classCounts, type ImageSplit, type LoadedDataset } from './split.js';
