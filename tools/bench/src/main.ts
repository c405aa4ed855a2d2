/**
 * `pnpm bench`: yolo-ts training and eval throughput against the PyTorch anchor (../shared/anchors/pytorch) on
 * the same machine, each case measured right after its anchor so that machine noise hits both. Prints each
 * measurement to stderr as it comes, then a table and one JSON line (backend, threads, matmul GFLOP/s, roofline,
 * train and eval ratios). Training is measured three ways on wasm: `xN` (N data-parallel replicas of one thread
 * each), `compiled` (one model, engine's compiled step on the native pool's threads) and `tfjs` (one model, tfjs
 * ops on threaded kernels, the fallback); roofline and train_ratio report the way the trainer picks for that model
 * and batch (marked *), the others' ratios are in train_ratio_unpicked. The matmul speed behind roofline is the
 * median of the matmuls measured before every case.
 *   --models cnn-small,cnn-bn,yolo26n-cls (those the model registry knows)   --batches 16,64,256   --seconds 4
 *   --no-anchor   --profile MODEL@BATCH
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { selectBackend, wasmThreadCount } from '@yolo-ts/engine';
import { replicaCount, stepWork } from '@yolo-ts/trainer/internals';
import { defaultModelRegistry } from '@yolo-ts/models';
import { offlineMnistDir, readMnistSplit } from '@yolo-ts/plugin-mnist';
import { anchorDir, ensureAnchor, runAnchor } from './anchor.js';
import { matmulGflops, measureEval, measureReplicaTraining, measureTraining, median, profileCompiledTraining, profileTraining } from './measure.js';

const { values } = parseArgs({
  options: {
    models: { type: 'string', default: 'cnn-small,cnn-bn,yolo26n-cls' },
    batches: { type: 'string', default: '16,64,256' },
    seconds: { type: 'string', default: '4' },
    device: { type: 'string', default: 'wasm' },
    'no-anchor': { type: 'boolean', default: false },
    profile: { type: 'string' },
  },
});

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const backend = await selectBackend(values.device as 'wasm');
const threads = backend.name === 'wasm' ? wasmThreadCount() : 0;
console.log(backend.summary);
const mnistDir = offlineMnistDir();
const [train, test] = await Promise.all([readMnistSplit(mnistDir, 'train'), readMnistSplit(mnistDir, 'test')]);

if (values.profile) {
  const [model, batch] = values.profile.split('@');
  /** Prints header(total) and the 20 largest rows of a per-kernel profile, each with its share of the total. */
  const printKernels = (kernels: [string, number][], header: (total: number) => string) => {
    const total = kernels.reduce((a, [, ms]) => a + ms, 0);
    console.log(header(total));
    for (const [name, ms] of kernels.slice(0, 20)) console.log(`${name.padEnd(28)}${ms.toFixed(2).padStart(9)} ms ${((100 * ms) / total).toFixed(1).padStart(5)}%`);
  };
  const t = await profileTraining(model!, Number(batch ?? 64), train);
  printKernels(t.kernels, (total) => `profile of one ${values.profile} tfjs step: ${t.wall.toFixed(1)} ms a step unprofiled; profiled, ${total.toFixed(1)} ms in ${t.calls} tfjs kernel calls`);
  const c = profileCompiledTraining(model!, Number(batch ?? 64), train);
  printKernels(c.kernels, (total) => `\nprofile of one ${values.profile} compiled step, one thread: run ${c.run.toFixed(1)} ms (${total.toFixed(1)} ms in ${c.calls} native calls, ${(c.run - total).toFixed(1)} ms outside them), Adam ${c.adam.toFixed(1)} ms, gather ${c.gather.toFixed(1)} ms`);
  process.exit(0);
}

const anchor = values['no-anchor'] ? undefined : anchorDir(repoRoot);
if (anchor) await ensureAnchor(anchor);
const known = new Set(defaultModelRegistry().names());
const models = values.models!.split(',').filter((m) => known.has(m));
const batches = values.batches!.split(',').map(Number);
const seconds = Number(values.seconds);

// The roofline's denominator is the machine's matmul speed, measured before every case: their median, so that
// one noisy moment (the host behind this machine is shared), slow or fast, cannot move every roofline of the run.
const matmuls: number[] = [];
const measureMatmul = () => matmuls.push(matmulGflops());
const header = `${'case'.padEnd(24)}${'yolo-ts img/s'.padStart(14)}${'torch img/s'.padStart(13)}${'ratio'.padStart(8)}${'roofline'.padStart(10)}${'steps'.padStart(7)}`;
const roofline: Record<string, number> = {};
const trainRatio: Record<string, number> = {};
const evalRatio: Record<string, number> = {};
const fmt = (v: number | undefined, d = 0) => (v === undefined ? '-' : v.toFixed(d));

// Training runs three ways: data-parallel replicas (one per core), one model's compiled step (half batches on
// threads from the trainer's HALVES_MIN_BATCH) and one model's tfjs step. The trainer picks replicas or the
// compiled step per model and batch (replicas=0); roofline and train_ratio report its pick, marked * in the table.
const cores = replicaCount(0, backend.name, Math.max(...batches));
const otherRatio: Record<string, number> = {};
/** Table rows, printed at the end when the median matmul is known; `flops` = training FLOPs per second. */
const rows: { key: string; ours: number; torch?: number; ratio?: number; flops?: number; steps?: number }[] = [];
const row = (r: (typeof rows)[number]) => {
  rows.push(r);
  console.error(`${r.key}: ${r.ours.toFixed(0)} img/s${r.torch ? ` (torch ${r.torch.toFixed(0)})` : ''}`);
};
const trainFlops: Record<string, number> = {};

for (const model of models) {
  const work = stepWork(defaultModelRegistry().build(model, { imgsz: 28, channels: 1, nc: 10, seed: 0 }), backend.name === 'wasm');
  for (const batch of batches) {
    const key = `${model}@${batch}`;
    measureMatmul();
    const compiled = measureTraining(model, batch, train, 20, seconds, 'compiled');
    const threaded = measureTraining(model, batch, train, 20, seconds, 'tfjs');
    for (const [mode, m] of [['compiled', compiled], ['tfjs', threaded]] as const)
      if (m.tensorsLeaked !== 0) console.warn(`WARNING ${key} ${mode}: ${m.tensorsLeaked} tensors leaked over ${m.steps} steps`);
    const torch = anchor ? await runAnchor(anchor, model, batch, Math.max(20, Math.min(compiled.steps, 60)), mnistDir) : undefined;
    const modes: [string, typeof threaded][] = [['compiled', compiled], ['tfjs', threaded]];
    if (cores > 1) modes.unshift([`x${cores}`, await measureReplicaTraining(model, batch, train, cores, 20, seconds)]);
    const pick = replicaCount(0, backend.name, batch, work) > 1 ? `x${cores}` : 'compiled';
    for (const [mode, m] of modes) {
      const flops = m.forwardFlops * 3 * m.imgPerSec;
      const ratio = torch ? m.imgPerSec / torch.train_img_s : undefined;
      if (mode === pick) {
        trainFlops[key] = flops;
        if (ratio !== undefined) trainRatio[key] = ratio;
      } else if (ratio !== undefined) otherRatio[`${key} ${mode}`] = ratio;
      row({ key: `${key} ${mode}${mode === pick ? '*' : ''}`, ours: m.imgPerSec, torch: torch?.train_img_s, ratio, flops, steps: m.steps });
    }
    if (batch === batches[0]) {
      const ev = measureEval(model, test);
      if (torch) evalRatio[model] = ev / torch.eval_img_s;
      row({ key: `${model} eval@1000`, ours: ev, torch: torch?.eval_img_s, ratio: evalRatio[model] });
    }
  }
}

measureMatmul();
const gflops = median(matmuls);
console.log(`matmul 1024³: ${gflops.toFixed(1)} GFLOP/s (${threads} threads; median of ${matmuls.length} measured through the run, ${Math.min(...matmuls).toFixed(1)}–${Math.max(...matmuls).toFixed(1)})`);
console.log(header);
for (const r of rows) {
  const roof = r.flops === undefined ? '' : (r.flops / (gflops * 1e9)).toFixed(2).padStart(10) + String(r.steps).padStart(7);
  console.log(`${r.key.padEnd(24)}${fmt(r.ours).padStart(14)}${fmt(r.torch).padStart(13)}${fmt(r.ratio, 2).padStart(8)}${roof}`);
}
for (const [key, flops] of Object.entries(trainFlops)) roofline[key] = flops / (gflops * 1e9);
const round = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Number(v.toFixed(3))]));
console.log(
  JSON.stringify({
    backend: backend.name,
    threads,
    replicas: cores,
    matmul_gflops: Number(gflops.toFixed(1)),
    roofline: round(roofline),
    train_ratio: round(trainRatio),
    eval_ratio: round(evalRatio),
    train_ratio_unpicked: round(otherRatio),
  }),
);
process.exit(0);
