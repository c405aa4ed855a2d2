import { writeFileAtomic } from '@yolo-ts/core-data';

/** One row of results.csv: Ultralytics' classify columns (8.3/8.4), its three parameter groups' learning rates. */
export interface EpochResult {
  epoch: number;
  /** Seconds since the run started. */
  time: number;
  'train/loss': number;
  'metrics/accuracy_top1': number;
  'metrics/accuracy_top5': number;
  'val/loss': number;
  'lr/pg0': number;
  'lr/pg1': number;
  'lr/pg2': number;
}

export const RESULT_COLUMNS = ['epoch', 'time', 'train/loss', 'metrics/accuracy_top1', 'metrics/accuracy_top5', 'val/loss', 'lr/pg0', 'lr/pg1', 'lr/pg2'] as const;

/** Ultralytics writes values with %.6g. */
function g6(v: number): string {
  if (Number.isInteger(v)) return String(v);
  return String(Number(v.toPrecision(6)));
}

export function formatResultsCsv(rows: readonly EpochResult[]): string {
  return [RESULT_COLUMNS.join(','), ...rows.map((r) => RESULT_COLUMNS.map((c) => g6(r[c])).join(','))].join('\n') + '\n';
}

/** Rewrites results.csv with every row so far, atomically. */
export async function writeResultsCsv(path: string, rows: readonly EpochResult[]): Promise<void> {
  await writeFileAtomic(path, formatResultsCsv(rows));
}
