#!/usr/bin/env node
// Writes what the demo page loads into public/generated/ (git-ignored), from the Node side of yolo-ts:
//   data/mnist160/                                   the embedded 160-image slice as IDX files named as MNIST's
//   models/yolo26n-cls_web_model/                    the pretrained yolo26n-cls exported as a tfjs graph model
//   weights/yolo26n-cls/                             the same weights as a layers model, to fine-tune in the page
// The folder is built beside the old one and swapped in whole.
import { cp, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeIdx } from '@yolo-ts/core-data';
import { datasetRegistry, exportModel, resolveData } from '@yolo-ts/trainer';
import { pretrainedWeights } from '@yolo-ts/weights';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const target = join(root, 'public', 'generated');
const tmp = `${target}.${process.pid}.tmp`;
const quiet = () => {};
await rm(tmp, { recursive: true, force: true });

const source = await resolveData('mnist160', await datasetRegistry(quiet, { data: 'mnist160' }));
const data = await source.load({ cache: 'disk', log: quiet });
await mkdir(join(tmp, 'data', 'mnist160'), { recursive: true });
for (const [name, split] of Object.entries({ train: data.train, t10k: data.test ?? data.val })) {
  await writeFile(join(tmp, 'data', 'mnist160', `${name}-images-idx3-ubyte`), encodeIdx([split.count, split.height, split.width], split.images));
  await writeFile(join(tmp, 'data', 'mnist160', `${name}-labels-idx1-ubyte`), encodeIdx([split.count], Uint8Array.from(split.labels)));
}
await writeFile(join(tmp, 'data', 'mnist160', 'names.json'), JSON.stringify(data.classes));

const weights = pretrainedWeights('yolo26n-cls');
if (!weights) throw new Error('@yolo-ts/weights has no yolo26n-cls: run tools/pretrain.sh');
await cp(weights.dir, join(tmp, 'weights', 'yolo26n-cls'), { recursive: true });
const exported = await exportModel({ model: join(tmp, 'weights', 'yolo26n-cls'), format: 'tfjs', dynamic: true, verbose: false }, { log: quiet });
await mkdir(join(tmp, 'models'), { recursive: true });
await rename(exported.path, join(tmp, 'models', 'yolo26n-cls_web_model'));

await rm(target, { recursive: true, force: true });
await rename(tmp, target);
console.log(`demo assets written to ${target}`);
