// What a web page can use too (the package's `browser` entry):
export * from './browser.js';
// Node only: files, downloads, plugins
export { definePlugin, DATASET_NAME, type DatasetPlugin, type BuildContext, type SourceFiles, type SourceSplit, type SourceSplits } from './plugin.js';
export { DatasetRegistry } from './registry.js';
export { hashFile, verifySha256 } from './checksum.js';
export { writeFileAtomic, replaceFolderAtomic, removeDeadTemporaries } from './atomic.js';
// Download, verify, convert, cache
export { contentName, type DatasetFile } from './dataset-file.js';
export { downloadFile, type DownloadOptions } from './download.js';
export { fetchFiles, mirrorsFromEnv, mirrorUrl, type FetchOptions } from './fetch-files.js';
export { gunzipFile } from './gzip.js';
export { extractZip } from './zip.js';
export { withLock, type LockOptions } from './lock.js';
export { encodePng, decodePng, type DecodedImage } from './png.js';
export { decodeImage, IMAGE_EXTENSIONS } from './image-decode.js';
export { classFolders } from './class-folders.js';
export { prepareDataset, isPrepared, datasetRoot, type PrepareOptions } from './prepare.js';
export { readLayout, DATA_YAML, SPLITS, type DatasetLayout, type SplitName } from './layout.js';
export { loadImageFolder, type CacheMode, type FolderLoadOptions } from './image-folder.js';
export { discoverPlugins, nodeModulesFolders, PLUGIN_PACKAGE, type FoundPlugins } from './plugin-discovery.js';
// Test helpers (a loopback file server with faults, a zip writer, IDX fixtures) are in `@yolo-ts/core-data/testing`.
