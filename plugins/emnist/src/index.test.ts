import { DatasetUnavailableError } from '@yolo-ts/core-data';
import { describe, expect, it } from 'vitest';
import { emnistPlugin } from './index.js';

describe('emnist plugin declaration', () => {
  it('declares the 47 balanced classes with folder names unique on case-insensitive file systems', () => {
    expect(emnistPlugin.classes).toHaveLength(47);
    expect(emnistPlugin.classes.slice(0, 11)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'A']);
    expect(emnistPlugin.classes.at(-1)).toBe('t_lower');
    expect(new Set(emnistPlugin.classes.map((c) => c.toLowerCase())).size).toBe(47);
  });
  it('says plainly that no copy can be had offline', async () => {
    await expect(emnistPlugin.load({ datasetsDir: '.', log: () => {} })).rejects.toBeInstanceOf(DatasetUnavailableError);
  });
});
