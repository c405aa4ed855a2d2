// `pnpm test:faults` (and `pnpm test`): generated bad inputs for every format yolo-ts reads, fed through its API as
// the CLI would; each must give a clear one-line error with the expected code (or, for valid odd inputs, be read),
// no crash, no stack trace, and leave the files that were there untouched.
import { describe, expect, it } from 'vitest';
import { cliCases, folderCases, gzipCases, idxCases, imageCases, modelCases, settingsCases, yamlCases, zipCases } from './cases.js';
import { figures, runCase, type Outcome } from './harness.js';

describe('bad inputs', () => {
  it('every generated bad input gets a clear error with its code, and nothing is lost', async () => {
    const cases = [...idxCases(), ...(await gzipCases()), ...(await imageCases()), ...(await zipCases()), ...(await folderCases()), ...(await yamlCases()), ...(await modelCases()), ...(await settingsCases()), ...cliCases()];
    const outcomes: Outcome[] = [];
    for (const c of cases) outcomes.push(await runCase(c));
    const line = figures(outcomes);
    console.log(line);
    const byCategory = new Map<string, number>();
    for (const o of outcomes) byCategory.set(o.c.category, (byCategory.get(o.c.category) ?? 0) + 1);
    console.log([...byCategory].map(([k, n]) => `${k} ${n}`).join(', '));
    const wrong = outcomes.filter((o) => !o.c.codes.includes(o.got) || o.stackTrace || o.lost.length || o.message.includes('\n'));
    expect(wrong.map((o) => `${o.c.category}: ${o.c.name}: expected ${o.c.codes.join('|')}, got ${o.got}: ${o.message.split('\n')[0]}`)).toEqual([]);
    expect(outcomes.length).toBeGreaterThanOrEqual(200);
  });
});
