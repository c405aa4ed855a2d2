/** Whether the user's input is at fault (the CLI exits 2) or the run could not be done here (exits 1). */
export type ErrorKind = 'input' | 'runtime';

/**
 * Base class of every error yolo-ts reports to users: its message is one line, fit to print as is, that says what
 * to do; `code` is stable (scripts and tests match it, the message may improve) and `kind` gives the exit code.
 */
export class YoloTsError extends Error {
  static readonly code: string = 'E_YOLO_TS';
  static readonly kind: ErrorKind = 'input';
  readonly code: string;
  readonly kind: ErrorKind;

  constructor(message: string, options: { code?: string; kind?: ErrorKind; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    const type = new.target as unknown as typeof YoloTsError;
    this.code = options.code ?? type.code;
    this.kind = options.kind ?? type.kind;
  }
}

/** A data file does not have the format it claims (bad magic, wrong size, truncated). */
export class DataFormatError extends YoloTsError {
  static override readonly code: string = 'E_DATA_FORMAT';
}

/** A file's bytes do not have the checksums its dataset declares. */
export class ChecksumError extends DataFormatError {
  static override readonly code: string = 'E_CHECKSUM';
}

/** A dataset name, plugin or split that cannot be resolved. */
export class DatasetNotFoundError extends YoloTsError {
  static override readonly code: string = 'E_DATA_NOT_FOUND';
}

/** A dataset whose source cannot be reached from this machine. */
export class DatasetUnavailableError extends YoloTsError {
  static override readonly code: string = 'E_DATA_UNAVAILABLE';
  static override readonly kind: ErrorKind = 'runtime';
}

/** No mirror delivered a file (HTTP errors, refused or cut connections, timeouts, bad checksums). */
export class DownloadError extends DatasetUnavailableError {
  static override readonly code: string = 'E_DOWNLOAD';
}

/** An operating-system error on a file or folder (permission, disk full, missing), said as what to do. */
export class FileSystemError extends YoloTsError {}

const at = (p?: string) => (p ? ` ${p}` : '');
const OS_ERRORS: Record<string, { code: string; kind: ErrorKind; say: (path?: string) => string }> = {
  EACCES: { code: 'E_PERMISSION', kind: 'runtime', say: (p) => `permission denied${p ? ` on ${p}` : ''}: give this user access to it, or choose another folder` },
  EPERM: { code: 'E_PERMISSION', kind: 'runtime', say: (p) => `operation not permitted${p ? ` on ${p}` : ''}: give this user access to it, or choose another folder` },
  EROFS: { code: 'E_PERMISSION', kind: 'runtime', say: (p) => `read-only file system${p ? ` at ${p}` : ''}: choose a writable folder` },
  ENOSPC: { code: 'E_DISK_FULL', kind: 'runtime', say: (p) => `no space left on the disk${p ? ` of ${p}` : ''}: free some space (df -h) or choose a folder on another disk` },
  EDQUOT: { code: 'E_DISK_FULL', kind: 'runtime', say: (p) => `disk quota exceeded${p ? ` writing ${p}` : ''}: free some space or choose a folder on another disk` },
  ENOENT: { code: 'E_NOT_FOUND', kind: 'input', say: (p) => `no such file or folder${at(p)}` },
  ENOTDIR: { code: 'E_NOT_FOUND', kind: 'input', say: (p) => `a part of the path${at(p)} is a file, not a folder` },
  EISDIR: { code: 'E_NOT_FOUND', kind: 'input', say: (p) => `a folder where a file was expected${at(p)}` },
  EMFILE: { code: 'E_IO', kind: 'runtime', say: () => 'too many open files: raise the limit (ulimit -n)' },
  EIO: { code: 'E_IO', kind: 'runtime', say: (p) => `input/output error${at(p)}: the disk or network file system failed` },
};

/**
 * An operating-system error (`error.code` EACCES, ENOSPC, ENOENT, ...) as a FileSystemError that names the path
 * (the error's own, else `path`) and what to do, keeping the original as `cause`; anything else is returned as it
 * is. `doing` starts the message, e.g. `cannot write the checkpoint`.
 */
export function fileSystemError(error: unknown, doing?: string, path?: string): unknown {
  const os = error as NodeJS.ErrnoException | undefined;
  const known = os?.code ? OS_ERRORS[os.code] : undefined;
  if (!known || error instanceof YoloTsError) return error;
  const message = known.say(os!.path ?? path);
  return new FileSystemError(doing ? `${doing}: ${message}` : message, { code: known.code, kind: known.kind, cause: error });
}

/** Whether `error` is the OS saying that a path does not exist (ENOENT, or a file where a folder was expected). */
export function isMissingPath(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
