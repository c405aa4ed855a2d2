import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { YoloTsError, fileSystemError } from '@yolo-ts/core-data';

/**
 * One bad (or merely unusual) input and what yolo-ts must make of it: an error with one of `codes`, or, for
 * inputs that are valid if odd (a 16-bit or palette PNG, a CMYK JPEG), `'OK'`. `guard` is a folder whose files
 * must be the same afterwards.
 */
export interface FaultCase {
  category: string;
  name: string;
  codes: string[];
  run: () => Promise<unknown>;
  guard?: string;
}

export interface Outcome {
  c: FaultCase;
  /** The error's code, 'OK' when it did not throw, or 'CRASH' for an error that is not a YoloTsError. */
  got: string;
  message: string;
  stackTrace: boolean;
  lost: string[];
}

async function snapshot(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true }).catch(() => [])) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile() && (await stat(p)).size < 50e6) out.set(p, createHash('sha256').update(await readFile(p)).digest('hex'));
    }
  };
  await walk(dir);
  return out;
}

/** Runs a case as the CLI would see it (OS errors translated as its error handler does). */
export async function runCase(c: FaultCase): Promise<Outcome> {
  const before = c.guard ? await snapshot(c.guard) : new Map<string, string>();
  let got = 'OK';
  let message = '';
  try {
    await c.run();
  } catch (raw) {
    const error = fileSystemError(raw);
    message = error instanceof Error ? error.message : String(error);
    got = error instanceof YoloTsError ? error.code : 'CRASH';
  }
  const after = c.guard ? await snapshot(c.guard) : new Map<string, string>();
  const lost = [...before].filter(([p, h]) => after.get(p) !== h).map(([p]) => p);
  return { c, got, message, stackTrace: /\n\s+at /.test(message), lost };
}

/** The figures line, e.g. `214 inputs, 214 clear errors, 0 crashes, 0 stack traces, 0 files lost`. */
export function figures(outcomes: Outcome[]): string {
  const clear = outcomes.filter((o) => o.c.codes.includes(o.got) && o.got !== 'OK' && !o.message.includes('\n')).length;
  const accepted = outcomes.filter((o) => o.got === 'OK' && o.c.codes.includes('OK')).length;
  const crashes = outcomes.filter((o) => o.got === 'CRASH').length;
  const traces = outcomes.filter((o) => o.stackTrace).length;
  const lost = outcomes.reduce((a, o) => a + o.lost.length, 0);
  return `${outcomes.length} inputs, ${clear} clear errors, ${accepted} valid inputs read, ${crashes} crashes, ${traces} stack traces, ${lost} files lost`;
}
