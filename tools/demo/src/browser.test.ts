// `pnpm test:browser` (and `pnpm test` wherever Chromium is installed): the built demo (dist/, from `vite build`)
// served with the COOP/COEP headers, driven in Debian's Chromium by playwright-core.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { gzipSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeImage } from '@yolo-ts/core-data';
import { predict, trainInMemory } from '@yolo-ts/trainer';
import { selectBackend } from '@yolo-ts/engine';
import { defaultModelRegistry } from '@yolo-ts/models';
import { chromium, type Browser, type Page } from 'playwright-core';
import { preview, type PreviewServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const chromiumPath = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => p && existsSync(p));
const shots = join(root, 'screenshots');

declare const yoloDemo: {
  ready: Promise<void>;
  predictPixels(images: number[][]): Promise<number[][]>;
  startTraining(o: { arch?: string; epochs?: number; batch?: number }): Promise<{ losses: number[]; imagesPerSecond: number[]; top1: number[]; threads: number; backend: string; seconds: number }>;
  lastPrediction(): { top1: string; top5: { name: string; p: number }[]; ms: number } | undefined;
};

/** Mouse strokes on the 280×280 pad, in pad coordinates: each stroke a list of points. */
async function draw(page: Page, strokes: [number, number][][]): Promise<void> {
  const box = (await page.locator('#pad').boundingBox())!;
  await page.click('#clear');
  for (const stroke of strokes) {
    await page.mouse.move(box.x + stroke[0]![0], box.y + stroke[0]![1]);
    await page.mouse.down();
    for (const [x, y] of stroke.slice(1)) await page.mouse.move(box.x + x, box.y + y, { steps: 4 });
    await page.mouse.up();
  }
  await page.waitForFunction(() => yoloDemo.lastPrediction() !== undefined);
}

const ellipse = (cx: number, cy: number, rx: number, ry: number): [number, number][] => Array.from({ length: 33 }, (_, i) => [cx + rx * Math.sin((i / 32) * 2 * Math.PI), cy - ry * Math.cos((i / 32) * 2 * Math.PI)]);
const DIGITS: Record<string, [number, number][][]> = {
  '0': [ellipse(140, 140, 55, 90)],
  '1': [[[150, 40], [145, 140], [140, 240]]],
  '7': [[[70, 50], [210, 50], [170, 130], [130, 240]]],
};

/**
 * The largest difference between the probabilities of Node's `predict` with `model` on the 80 mnist160 test images
 * and those the page's Draw model gives for the same pixels.
 */
async function pageVersusNode(page: Page, model: string): Promise<{ max: number; images: number }> {
  const results = await predict({ model, source: 'mnist160/test', device: 'wasm', verbose: false }, { log: () => {} });
  const images = await Promise.all(results.map(async (r) => Array.from((await decodeImage(await readFile(r.path), r.path, 1)).data)));
  const inPage = await page.evaluate((x) => yoloDemo.predictPixels(x), images);
  let max = 0;
  results.forEach((r, i) => r.probs.data.forEach((v, k) => (max = Math.max(max, Math.abs(v - inPage[i]![k]!)))));
  return { max, images: results.length };
}

describe.skipIf(!chromiumPath)('the demo page in Chromium', () => {
  let server: PreviewServer;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    if (!existsSync(join(root, 'dist', 'index.html'))) throw new Error('tools/demo/dist is missing: run the build first (pnpm test does)');
    server = await preview({ root, logLevel: 'silent', preview: { host: '127.0.0.1', port: 0, strictPort: false } });
    browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1320, height: 860 } });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(server.resolvedUrls!.local[0]!);
    await page.evaluate(() => yoloDemo.ready);
    await mkdir(shots, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('is cross-origin isolated, so tfjs and the engine can use threads', async () => {
    expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(true);
    expect(await page.textContent('#status')).toMatch(/on wasm \(cross-origin isolated/);
  });

  it.each(Object.keys(DIGITS))('recognises a %s drawn with the mouse (pretrained yolo26n-cls, exported, stock tfjs)', async (digit) => {
    await draw(page, DIGITS[digit]!);
    const p = await page.evaluate(() => yoloDemo.lastPrediction()!);
    console.log(`drawn ${digit}: top-1 ${p.top1} (${(p.top5[0]!.p * 100).toFixed(1)}%), inference ${p.ms.toFixed(1)} ms`);
    expect(p.top1).toBe(digit);
    if (digit === '7') await page.locator('#draw-panel').screenshot({ path: join(shots, 'draw.png') });
  });

  it("gives the probabilities of Node's predict on the same images within 1e-4", async () => {
    const { max, images } = await pageVersusNode(page, 'yolo26n-cls.pt');
    expect(images).toBe(80);
    console.log(`page vs Node predict (pretrained yolo26n-cls, 80 images): max abs difference ${max.toExponential(1)}`);
    expect(max).toBeLessThan(1e-4);
  });

  it('trains cnn-small in the tab on the engine: the loss falls, Draw then uses the trained model, and the download is a run\'s weights', async () => {
    const run = await page.evaluate(() => yoloDemo.startTraining({ arch: 'cnn-small', epochs: 12, batch: 16 }));
    expect(errors).toEqual([]);
    // Chromium has relaxed SIMD on: the page runs the fused multiply-add build of the engine's kernels.
    expect(run.backend).toMatch(/^backend: wasm \(.*relaxed-SIMD kernels/);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(run.losses).toHaveLength(60);
    expect(mean(run.losses.slice(-10))).toBeLessThan(0.8 * mean(run.losses.slice(0, 10)));
    expect(await page.textContent('#model-name')).toMatch(/trained here/);
    await page.locator('#train-panel').screenshot({ path: join(shots, 'train.png') });
    await page.screenshot({ path: join(shots, 'page.png'), fullPage: true });
    // Download weights: model.json + weights.bin, which Node's predict loads as it loads weights/best.
    const dir = await mkdtemp(join(tmpdir(), 'yolo-ts-download-'));
    const saved: Promise<void>[] = [];
    page.on('download', (d) => saved.push(d.saveAs(join(dir, d.suggestedFilename()))));
    await page.click('#download');
    await expect.poll(() => saved.length).toBe(2);
    await Promise.all(saved);
    const { max } = await pageVersusNode(page, dir);
    console.log(`page (trained there) vs Node predict on the downloaded weights: max abs difference ${max.toExponential(1)}`);
    expect(max).toBeLessThan(1e-4);
  });

  it('trains on MNIST-style IDX files picked in the page, gzip-compressed or not', async () => {
    const data = join(root, 'public', 'generated', 'data', 'mnist160');
    const picked = await mkdtemp(join(tmpdir(), 'yolo-ts-idx-'));
    for (const name of ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte']) await writeFile(join(picked, `${name}.gz`), gzipSync(await readFile(join(data, name))));
    await page.selectOption('#data', 'files');
    await page.setInputFiles('#idx-files', [join(picked, 'train-images-idx3-ubyte.gz'), join(picked, 'train-labels-idx1-ubyte.gz'), join(data, 't10k-images-idx3-ubyte'), join(data, 't10k-labels-idx1-ubyte')]);
    const run = await page.evaluate(() => yoloDemo.startTraining({ arch: 'cnn-small', epochs: 4, batch: 16 }));
    expect(run.losses).toHaveLength(20);
    expect(run.top1).toHaveLength(4); // validated on the picked test files after every epoch
    // The same files at a URL (the page's own server here).
    await page.selectOption('#data', 'url');
    await page.fill('#idx-url', new URL('generated/data/mnist160/', page.url()).href);
    const fromUrl = await page.evaluate(() => yoloDemo.startTraining({ arch: 'cnn-small', epochs: 2, batch: 16 }));
    expect([fromUrl.losses.length, fromUrl.top1.length]).toEqual([10, 2]);
    await page.selectOption('#data', 'mnist160');
  });

  it('fine-tunes the pretrained yolo26n-cls in the tab, and measures img/s at batch 64 beside Node', async () => {
    const measured: Record<string, { page: number; node: number; threads: number }> = {};
    await selectBackend('wasm');
    for (const arch of ['cnn-small', 'yolo26n-cls.yaml']) {
      const run = await page.evaluate((a) => yoloDemo.startTraining({ arch: a, epochs: 12, batch: 64 }), arch);
      const model = defaultModelRegistry().build(arch.replace('.yaml', ''), { imgsz: 28, channels: 1, nc: 10, seed: 0 });
      const split = await mnist160Split();
      const node: number[] = [];
      await trainInMemory({ model, train: split, epochs: 12, batch: 64, onStep: (s) => void node.push(s.imagesPerSecond) });
      model.dispose();
      const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
      measured[arch] = { page: median(run.imagesPerSecond.slice(1)), node: median(node.slice(1)), threads: run.threads };
    }
    console.log(`training img/s at batch 64, page vs Node (same machine, same run): ${JSON.stringify(measured)}`);
    for (const m of Object.values(measured)) expect(m.page).toBeGreaterThan(0);
    const tuned = await page.evaluate(() => yoloDemo.startTraining({ arch: 'yolo26n-cls.pt', epochs: 2, batch: 16 }));
    expect(tuned.top1.at(-1)!).toBeGreaterThan(0.8);
  });
});

async function mnist160Split() {
  const { datasetRegistry, resolveData } = await import('@yolo-ts/trainer');
  const source = await resolveData('mnist160', await datasetRegistry(() => {}, { data: 'mnist160' }));
  return (await source.load({ cache: 'ram', log: () => {} })).train;
}
