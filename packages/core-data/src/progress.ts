/** Where progress goes: a redrawn bar on a terminal, a line at the start and the end otherwise. */
export interface ProgressOptions {
  log: (line: string) => void;
  /** Draw a live bar on this stream (default: stderr when it is a terminal). */
  tty?: NodeJS.WriteStream | false;
}

export interface Progress {
  /** Counts `n` more units done. */
  advance(n: number): void;
  /** The total became known (or changed, e.g. after a resume). */
  setTotal(total: number | undefined, done?: number): void;
  /** Ends the bar and logs one summary line. */
  finish(summary?: string): void;
}

const MB = 1024 * 1024;
const REDRAW_MS = 100;

function duration(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${Math.ceil(s)}s`;
  return `${Math.floor(s / 60)}m${String(Math.ceil(s % 60)).padStart(2, '0')}s`;
}

/**
 * Progress of one task (`label`), counted in bytes (`unit: 'bytes'`: sizes, speed and ETA in MB) or in items.
 * The bar is drawn at most every 100 ms so a fast download is not slowed by redraws.
 */
export function startProgress(label: string, unit: 'bytes' | 'images', options: ProgressOptions): Progress {
  const tty = options.tty ?? (process.stderr.isTTY ? process.stderr : false);
  const started = performance.now();
  let total: number | undefined;
  let done = 0;
  let resumedAt = 0;
  let drawn = 0;
  const number = (n: number) => (unit === 'bytes' ? (n / MB).toFixed(1) : `${n}`);
  const amount = (n: number) => (unit === 'bytes' ? `${number(n)} MB` : number(n));

  const draw = (force: boolean) => {
    if (!tty) return;
    const now = performance.now();
    if (!force && now - drawn < REDRAW_MS) return;
    drawn = now;
    const seconds = (now - started) / 1000;
    const rate = (done - resumedAt) / Math.max(seconds, 1e-3);
    const pct = total ? `${Math.floor((100 * done) / total)}%`.padStart(4) : '';
    const of = total ? `${number(done)}/${amount(total)}` : amount(done);
    const speed = unit === 'bytes' ? `${(rate / MB).toFixed(1)} MB/s` : `${Math.round(rate)}/s`;
    const eta = total ? ` ETA ${duration((total - done) / rate)}` : '';
    tty.write(`\r\x1b[K${label} ${pct} ${of} ${speed}${eta}`);
  };

  if (!tty) options.log(`${label}...`);
  return {
    advance(n) {
      done += n;
      draw(false);
    },
    setTotal(t, at = done) {
      total = t;
      done = resumedAt = at;
      draw(true);
    },
    finish(summary) {
      if (tty) tty.write('\r\x1b[K');
      const seconds = (performance.now() - started) / 1000;
      options.log(`${label}: ${summary ?? `${amount(done)} in ${seconds.toFixed(1)}s`}`);
    },
  };
}
