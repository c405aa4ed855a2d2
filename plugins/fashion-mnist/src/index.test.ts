import { DatasetUnavailableError } from '@yolo-ts/core-data';
import { describe, expect, it } from 'vitest';
import { fashionMnistPlugin } from './index.js';

describe('fashion-mnist plugin declaration', () => {
  it('declares the official class names in label order', () => {
    expect(fashionMnistPlugin.classes).toEqual(['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot']);
  });
  it('says plainly that no copy can be had offline', async () => {
    await expect(fashionMnistPlugin.load({ datasetsDir: '.', log: () => {} })).rejects.toBeInstanceOf(DatasetUnavailableError);
  });
});
