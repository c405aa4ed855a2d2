import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { DecodedImage } from '@yolo-ts/core-data';
import { annotatedImage } from '../plots/annotate.js';

/** Ultralytics' Probs: a softmax over the classes, with its top-1 and top-5 (min(5, classes)). */
export class Probs {
  readonly top1: number;
  readonly top5: number[];

  constructor(readonly data: Float32Array) {
    this.top5 = Array.from(data.keys())
      .sort((a, b) => data[b]! - data[a]! || a - b)
      .slice(0, Math.min(5, data.length));
    this.top1 = this.top5[0]!;
  }

  get top1conf(): number {
    return this.data[this.top1]!;
  }

  get top5conf(): number[] {
    return this.top5.map((c) => this.data[c]!);
  }
}

/** Milliseconds per image spent in each phase. */
export interface Speed {
  preprocess: number;
  inference: number;
  postprocess: number;
}

/** One image's prediction, as Ultralytics' Results for classification. */
export class Results {
  constructor(
    /** Absolute path of the image. */
    readonly path: string,
    /** Class names in output order. */
    readonly names: readonly string[],
    /** The decoded image (at its own size) the prediction was made on. */
    readonly origImg: DecodedImage,
    readonly probs: Probs,
    readonly speed: Speed,
  ) {}

  /** [height, width] of the image as read. */
  get origShape(): [number, number] {
    return [this.origImg.height, this.origImg.width];
  }

  /** The top-5 as Ultralytics writes them on images and in verbose(): `7 0.99`. */
  private top5Labels(): string[] {
    return this.probs.top5.map((c) => `${this.names[c]} ${this.probs.data[c]!.toFixed(2)}`);
  }

  /** Ultralytics' verbose(): `"7 0.99, 1 0.00, "` (top-5, with its trailing separator). */
  verbose(): string {
    return this.top5Labels().map((l) => `${l}, `).join('');
  }

  /** Ultralytics' summary(): the top-1 class only. */
  summary(decimals = 5): { name: string; class: number; confidence: number }[] {
    const p = this.probs;
    return [{ name: this.names[p.top1]!, class: p.top1, confidence: Number(p.top1conf.toFixed(decimals)) }];
  }

  toJSON(): { name: string; class: number; confidence: number }[] {
    return this.summary();
  }

  /** The top-5 lines Ultralytics' save_txt writes: `0.99 7` (confidence, then class name). */
  txtLines(): string[] {
    return this.probs.top5.map((c) => `${this.probs.data[c]!.toFixed(2)} ${this.names[c]}`);
  }

  /** Writes the top-5 lines to `file`; returns it. */
  async saveTxt(file: string): Promise<string> {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, `${this.txtLines().join('\n')}\n`);
    return file;
  }

  /** Writes the image with its top-5 drawn on it (JPEG) to `file`; returns it. */
  async save(file: string): Promise<string> {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, annotatedImage(this.origImg, this.top5Labels()));
    return file;
  }
}
