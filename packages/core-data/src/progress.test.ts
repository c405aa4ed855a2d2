import { describe, expect, it } from 'vitest';
import { startProgress } from './progress.js';

const MB = 1024 * 1024;

describe('startProgress', () => {
  it('draws size, percentage, speed and ETA on a terminal, then logs one summary line', () => {
    let screen = '';
    const tty = { write: (s: string) => (screen += s) } as unknown as NodeJS.WriteStream;
    const lines: string[] = [];
    const progress = startProgress('Downloading x.gz', 'bytes', { log: (l) => lines.push(l), tty });
    progress.setTotal(10 * MB);
    progress.advance(5 * MB);
    expect(screen.split('\r').at(-1)).toMatch(/^\x1b\[KDownloading x\.gz {3}0% 0\.0\/10\.0 MB /); // redrawn at most every 100 ms
    expect(lines).toEqual([]);
    progress.setTotal(10 * MB, 5 * MB); // a resume: counted from where it starts
    expect(screen.split('\r').at(-1)).toMatch(/^\x1b\[KDownloading x\.gz {2}50% 5\.0\/10\.0 MB \d+\.\d MB\/s ETA (\d+s|\?)$/);
    progress.finish();
    expect(lines).toEqual([expect.stringMatching(/^Downloading x\.gz: 5\.0 MB in \d+\.\ds$/)]);
  });

  it('writes a start and an end line when there is no terminal', () => {
    const lines: string[] = [];
    const progress = startProgress('Writing 3 PNG images', 'images', { log: (l) => lines.push(l), tty: false });
    progress.advance(3);
    progress.finish();
    expect(lines).toEqual(['Writing 3 PNG images...', expect.stringMatching(/^Writing 3 PNG images: 3 in \d+\.\ds$/)]);
  });
});
