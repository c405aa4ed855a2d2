// The demo page. Draw: a stock-tfjs graph model (an export; no yolo-ts code runs it) on a canvas drawing, prepared as
// MNIST's digits were. Train: yolo-ts' training loop and wasm engine in a worker; the result replaces the Draw model.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { mnistPreprocess } from '@yolo-ts/trainer';
import { parse } from 'yaml';
import { LossChart } from './chart';
import { droppedFolder, idxFolder, mnist160, pickedIdx, type NamedSplit } from './datasets';
import type { TrainRequest } from './train-worker';
import { locateTfjsWasm } from './wasm-paths';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const status = (text: string) => ($('status').textContent = text);

interface Classifier {
  model: tf.GraphModel;
  names: string[];
  label: string;
}

let classifier: Classifier | undefined;

/** Probabilities [n, classes] of n images of raw 0–255 pixels (28×28×1 each), as Node's predict takes them. */
async function predictPixels(images: number[][]): Promise<number[][]> {
  const c = classifier!;
  const x = tf.tensor4d(images.flat(), [images.length, 28, 28, 1]);
  const y = c.model.execute(x) as tf.Tensor;
  const p = (await y.array()) as number[][];
  tf.dispose([x, y]);
  return p;
}

async function loadExport(url: string, label: string): Promise<void> {
  const [model, meta] = await Promise.all([tf.loadGraphModel(`${url}/model.json`), fetch(`${url}/metadata.yaml`).then((r) => r.text())]);
  use({ model, names: Object.values(parse(meta).names as Record<string, string>), label });
}

function use(next: Classifier): void {
  classifier?.model.dispose();
  classifier = next;
  $('model-name').textContent = `Model: ${next.label}.`;
  void recognise();
}

// --- Draw panel ---
const pad = $<HTMLCanvasElement>('pad');
const pen = pad.getContext('2d', { willReadFrequently: true })!;
function clearPad(): void {
  pen.fillStyle = '#000';
  pen.fillRect(0, 0, pad.width, pad.height);
  $('top5').innerHTML = '';
  $('timing').textContent = '';
  $<HTMLCanvasElement>('seen').getContext('2d')!.clearRect(0, 0, 84, 84);
}
clearPad();
let last: { x: number; y: number } | undefined;
const at = (e: PointerEvent) => {
  const r = pad.getBoundingClientRect();
  return { x: ((e.clientX - r.left) * pad.width) / r.width, y: ((e.clientY - r.top) * pad.height) / r.height };
};
pad.addEventListener('pointerdown', (e) => {
  pad.setPointerCapture(e.pointerId);
  last = at(e);
});
pad.addEventListener('pointermove', (e) => {
  if (!last) return;
  const p = at(e);
  pen.strokeStyle = '#fff';
  pen.lineWidth = 18;
  pen.lineCap = 'round';
  pen.beginPath();
  pen.moveTo(last.x, last.y);
  pen.lineTo(p.x, p.y);
  pen.stroke();
  last = p;
});
const end = () => {
  if (!last) return;
  last = undefined;
  void recognise();
};
pad.addEventListener('pointerup', end);
pad.addEventListener('pointercancel', end);
$('clear').addEventListener('click', clearPad);

/** The last recognition, for the browser test: top-1 class name and the top-5. */
let lastPrediction: { top1: string; top5: { name: string; p: number }[]; ms: number } | undefined;

async function recognise(): Promise<void> {
  const c = classifier;
  if (!c) return;
  const { data, width, height } = pen.getImageData(0, 0, pad.width, pad.height);
  const gray = Float32Array.from({ length: width * height }, (_, i) => data[i * 4]!);
  const digit = mnistPreprocess(gray, width, height);
  if (!digit.some((v) => v > 0)) return;
  const seen = $<HTMLCanvasElement>('seen').getContext('2d')!;
  const img = new ImageData(28, 28);
  digit.forEach((v, i) => img.data.set([v, v, v, 255], i * 4));
  seen.imageSmoothingEnabled = false;
  seen.drawImage(await createImageBitmap(img), 0, 0, 84, 84);
  const t0 = performance.now();
  const [p] = await predictPixels([Array.from(digit)]);
  const ms = performance.now() - t0;
  const top5 = p!.map((v, k) => ({ name: c.names[k]!, p: v })).sort((a, b) => b.p - a.p).slice(0, 5);
  lastPrediction = { top1: top5[0]!.name, top5, ms };
  $('top5').innerHTML = top5.map((t) => `<li>${t.name} <small>${(t.p * 100).toFixed(1)}%</small></li>`).join('');
  $('timing').textContent = `inference ${ms.toFixed(1)} ms (${tf.getBackend()})`;
}

$<HTMLInputElement>('model-files').addEventListener('change', async (e) => {
  const files = [...((e.target as HTMLInputElement).files ?? [])];
  const json = files.find((f) => f.name.endsWith('.json'));
  const meta = files.find((f) => f.name.endsWith('.yaml'));
  if (!json || !meta) return status('pick model.json, its .bin file(s) and metadata.yaml from a best_web_model folder');
  const model = await tf.loadGraphModel(tf.io.browserFiles([json, ...files.filter((f) => f.name.endsWith('.bin'))]));
  use({ model, names: Object.values(parse(await meta.text()).names as Record<string, string>), label: json.name });
});

// --- Train panel ---
const chart = new LossChart($('chart'));
const worker = new Worker(new URL('./train-worker.ts', import.meta.url), { type: 'module' });
let dropped: FileSystemEntry | undefined;
let download: { json: object; bin: ArrayBuffer } | undefined;
interface TrainingSummary {
  losses: number[];
  imagesPerSecond: number[];
  top1: number[];
  threads: number;
  backend: string;
  seconds: number;
}
let training: { resolve: (s: TrainingSummary) => void; reject: (e: Error) => void; summary: TrainingSummary } | undefined;

const drop = $('drop');
drop.addEventListener('dragover', (e) => {
  e.preventDefault();
  drop.classList.add('over');
});
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (e) => {
  e.preventDefault();
  drop.classList.remove('over');
  dropped = e.dataTransfer?.items[0]?.webkitGetAsEntry() ?? undefined;
  drop.textContent = dropped ? `folder: ${dropped.name}` : 'drop a folder here';
  $<HTMLSelectElement>('data').value = 'folder';
});

async function chosenData(): Promise<{ train: NamedSplit; test?: NamedSplit }> {
  const data = $<HTMLSelectElement>('data').value;
  if (data === 'files') return pickedIdx([...($<HTMLInputElement>('idx-files').files ?? [])]);
  if (data === 'url') return idxFolder($<HTMLInputElement>('idx-url').value);
  if (data === 'folder') {
    if (!dropped) throw new Error('drop a folder on the drop area first');
    return droppedFolder(dropped);
  }
  return mnist160();
}

/** Starts a training run in the worker with the panel's settings (or `overrides`); resolves when it ends. */
async function startTraining(overrides: Partial<{ arch: string; epochs: number; batch: number }> = {}): Promise<TrainingSummary> {
  const arch = overrides.arch ?? $<HTMLSelectElement>('arch').value;
  const epochs = overrides.epochs ?? Number($<HTMLInputElement>('epochs').value);
  const batch = overrides.batch ?? Number($<HTMLInputElement>('batch').value);
  const { train, test } = await chosenData();
  chart.reset(epochs * Math.max(1, Math.floor(train.split.count / batch)));
  $<HTMLButtonElement>('train').disabled = true;
  $<HTMLButtonElement>('stop').disabled = false;
  const request: TrainRequest = { type: 'train', arch, train, test, epochs, batch, pretrained: arch.endsWith('.pt') ? new URL('generated/weights/yolo26n-cls/model.json', location.href).href : undefined };
  worker.postMessage(request);
  return new Promise((resolve, reject) => {
    training = { resolve, reject, summary: { losses: [], imagesPerSecond: [], top1: [], threads: 1, backend: '', seconds: 0 } };
  });
}

worker.onmessage = async ({ data: m }) => {
  const s = training?.summary;
  if (m.type === 'started' && s) {
    s.threads = m.threads;
    s.backend = m.backend;
    $('train-status').textContent = `${m.backend}; ${m.params.toLocaleString()} parameters, from ${m.from}`;
  } else if (m.type === 'step' && s) {
    s.losses.push(m.loss);
    s.imagesPerSecond.push(m.imagesPerSecond);
    chart.addLoss(m.loss);
    $('train-status').textContent = `epoch ${m.epoch + 1}, step ${m.step}/${m.steps}, loss ${m.loss.toFixed(3)}, ${Math.round(m.imagesPerSecond)} img/s (${s.threads} thread${s.threads === 1 ? '' : 's'})`;
  } else if (m.type === 'epoch' && s) {
    s.top1.push(m.top1);
    chart.addAccuracy(m.top1);
  } else if (m.type === 'done' && training) {
    s!.seconds = m.seconds;
    download = { json: m.weightsJson, bin: m.weightsBin };
    const model = await tf.loadGraphModel(tf.io.fromMemory(m.graph));
    use({ model, names: m.names, label: `trained here (${$<HTMLSelectElement>('arch').value})` });
    $('train-status').textContent += ` — done in ${m.seconds.toFixed(1)} s${s!.top1.length ? `, val top-1 ${(s!.top1.at(-1)! * 100).toFixed(1)}%` : ''}; the Draw panel now uses this model`;
    $<HTMLButtonElement>('download').disabled = false;
    finish();
    training.resolve(s!);
  } else if (m.type === 'error' && training) {
    $('train-status').textContent = `error: ${m.message}`;
    finish();
    training.reject(new Error(m.message));
  }
};
function finish(): void {
  $<HTMLButtonElement>('train').disabled = false;
  $<HTMLButtonElement>('stop').disabled = true;
}
$('train').addEventListener('click', () => void startTraining().catch((e: Error) => ($('train-status').textContent = `error: ${e.message}`)));
$('stop').addEventListener('click', () => worker.postMessage({ type: 'stop' }));
$('download').addEventListener('click', () => {
  if (!download) return;
  for (const [name, body] of [
    ['model.json', JSON.stringify(download.json)],
    ['weights.bin', download.bin],
  ] as const) {
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([body]));
    a.download = name;
    a.click();
  }
});

// --- start ---
const ready = (async () => {
  locateTfjsWasm();
  await tf.setBackend('wasm');
  await tf.ready();
  await loadExport('generated/models/yolo26n-cls_web_model', 'yolo26n-cls pretrained, exported (tfjs graph model)');
  status(`tfjs ${tf.version.tfjs} on ${tf.getBackend()}${globalThis.crossOriginIsolated ? ' (cross-origin isolated: threads available)' : ' (not cross-origin isolated: one thread)'}`);
})();

/** Hooks for the Chromium test (tools/demo/src/browser.test.ts). */
const mainThreads = () => (tf.backend() as unknown as { wasm: { tfjs: { getThreadsCount(): number } } }).wasm.tfjs.getThreadsCount();
Object.assign(globalThis, { yoloDemo: { ready, predictPixels, startTraining, mainThreads, lastPrediction: () => lastPrediction } });
