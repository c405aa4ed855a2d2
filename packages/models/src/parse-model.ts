import * as tf from '@tensorflow/tfjs';
import { c2psa, c3k2, classify, conv, type InitState } from './blocks.js';
import { pixelInput } from './input.js';
import type { BuildOptions } from './spec.js';

/** [depth multiple, width multiple, max channels] of one scale, as in an Ultralytics yaml's `scales:`. */
export type Scale = readonly [depth: number, width: number, maxChannels: number];

/** One `[from, repeats, module, args]` row of an Ultralytics yaml; `'nc'` stands for the number of classes. */
export type LayerDef = readonly [from: number, repeats: number, module: 'Conv' | 'C3k2' | 'C2PSA' | 'Classify', args: readonly (number | boolean | 'nc')[]];

/** A model config in the shape of Ultralytics' model yamls. */
export interface ModelConfig {
  scales: Readonly<Record<string, Scale>>;
  backbone: readonly LayerDef[];
  head: readonly LayerDef[];
}

/** Python's round(): halves go to the even neighbour (round(2.5) == 2), which Math.round does not do. */
function pyRound(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  return d > 0.5 || (d === 0.5 && f % 2 !== 0) ? f + 1 : f;
}

/** Scales whose C3k2 blocks all use C3k inner blocks (parse_model: `if scale in "mlx": args[3] = True`). */
const C3K_SCALES = new Set(['m', 'l', 'x']);

/**
 * Builds `config` at `scale` by the rules of Ultralytics' parse_model (nn/tasks.py): repeats n → max(round(n·depth), 1)
 * when n > 1; output channels c → ceil(min(c, max_channels)·width / 8)·8; C3k2 and C2PSA take the repeats as their
 * own n; C3k2 gets c3k=True at scales m/l/x. Classify's width is `nc` unscaled (parse_model skips scaling when
 * c2 == nc, which would also leave any layer whose width happens to equal nc unscaled; here only Classify is).
 */
export function buildFromConfig(config: ModelConfig, scale: string, name: string, o: BuildOptions): tf.LayersModel {
  const s = config.scales[scale];
  if (!s) throw new Error(`${name}: no scale '${scale}' (have ${Object.keys(config.scales).join(', ')})`);
  const [depth, width, maxChannels] = s;
  const init: InitState = { seed: o.seed, next: 0 };
  const { x, scaled } = pixelInput(o);
  const outputs: tf.SymbolicTensor[] = [];
  for (const [i, [from, repeats, module, args]] of [...config.backbone, ...config.head].entries()) {
    const input = from < 0 ? [scaled, ...outputs].at(from)! : outputs[from]!;
    const n = repeats > 1 ? Math.max(pyRound(repeats * depth), 1) : repeats;
    const arg = (j: number, fallback: number | boolean) => (args[j] === 'nc' ? o.nc : (args[j] ?? fallback));
    const c2 = Math.ceil((Math.min(arg(0, 0) as number, maxChannels) * width) / 8) * 8;
    const at = `model.${i}`;
    let out: tf.SymbolicTensor;
    if (module === 'Conv') {
      // Repeats of a plain module become a chain, as parse_model's nn.Sequential of n copies.
      out = input;
      for (let r = 0; r < n; r++) out = conv(init, out, n > 1 ? `${at}.${r}` : at, c2, arg(1, 1) as number, arg(2, 1) as number);
    } else if (module === 'C3k2') out = c3k2(init, input, at, c2, n, (arg(1, false) as boolean) || C3K_SCALES.has(scale), arg(2, 0.5) as number);
    else if (module === 'C2PSA') out = c2psa(init, input, at, c2, n);
    else out = classify(init, input, at, arg(0, 0) as number, o.dropout);
    outputs.push(out);
  }
  return tf.model({ inputs: x, outputs: outputs.at(-1)!, name });
}
