/**
 * `@yolo-ts/core-data/testing`: helpers for tests of datasets and plugins, kept out of the production entry — a
 * loopback HTTP server with faults, a zip writer and IDX fixtures.
 */
export { serveFiles, type FileServer, type Fault } from './file-server.js';
export { writeZip } from './zip-writer.js';
export { idxFixture } from './idx-fixture.js';
export { useTestTempRoot } from './temp-root.js';
