/** Base class of every error yolo-ts reports to users: its message is one line, fit to print as is. */
export class YoloTsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A data file does not have the format it claims (bad magic, wrong size, truncated). */
export class DataFormatError extends YoloTsError {}

/** A file's bytes do not have the checksums its dataset declares. */
export class ChecksumError extends DataFormatError {}

/** A dataset name, plugin or split that cannot be resolved. */
export class DatasetNotFoundError extends YoloTsError {}

/** A dataset whose source cannot be reached from this machine. */
export class DatasetUnavailableError extends YoloTsError {}

/** No mirror delivered a file (HTTP errors, refused or cut connections, timeouts, bad checksums). */
export class DownloadError extends DatasetUnavailableError {}
