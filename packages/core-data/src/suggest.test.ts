import { describe, expect, it } from 'vitest';
import { closestMatch, editDistance } from './suggest.js';

describe('closestMatch', () => {
  it('counts swaps of neighbours as one edit', () => {
    expect(editDistance('wsam', 'wasm')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });
  it('prefers the nearest of several prefixes and ignores far names', () => {
    expect(closestMatch('mnist16', ['mnist', 'mnist160'])).toBe('mnist160');
    expect(closestMatch('fashion', ['mnist', 'fashion-mnist'])).toBe('fashion-mnist');
    expect(closestMatch('cifar10', ['mnist', 'emnist'])).toBeUndefined();
  });
});
