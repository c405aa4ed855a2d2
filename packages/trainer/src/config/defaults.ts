/**
 * Every setting a run accepts, its default and its type: the one table that the CLI, the YOLO class,
 * `--help` and validation all read (Ultralytics keeps the same in `cfg/default.yaml`). Keys keep Ultralytics'
 * names and meanings; a key appears here only once the code honours it.
 */
export type SettingKind = 'int' | 'number' | 'fraction' | 'bool' | 'string' | 'choice';

export interface Setting {
  kind: SettingKind;
  default: string | number | boolean | null;
  help: string;
  /** Allowed values for `choice` (compared case-insensitively). */
  choices?: readonly string[];
  /** Smallest allowed value for `int` / `number`. */
  min?: number;
}

export const SETTINGS = {
  task: { kind: 'choice', default: 'classify', choices: ['classify'], help: 'the task; yolo-ts does image classification' },
  mode: { kind: 'choice', default: 'train', choices: ['train', 'val', 'predict', 'export'], help: 'what to do' },
  model: { kind: 'string', default: 'yolo26n-cls', help: 'architecture (yolo26n/s/m/l/x-cls, cnn-small, cnn-bn): NAME.pt starts from pretrained weights where they ship, NAME or NAME.yaml from scratch; or a saved model folder (runs/classify/train/weights/best, or best.pt)' },
  pretrained: { kind: 'string', default: 'True', help: "True: model=NAME.pt starts from the weights @yolo-ts/weights ships (yolo26n-cls: MNIST's training split only); False: from scratch; a saved model folder: start from its weights where names and shapes match (a new head when classes differ)" },
  data: { kind: 'string', default: 'mnist160', help: 'dataset name (yolo-ts datasets lists them), a folder with train/ and val/ or test/ class folders, or a data .yaml' },
  save: { kind: 'bool', default: true, help: 'train: write weights/last and weights/best after every epoch (False: at the end only); predict: write each image with its top-5 drawn on it (the CLI\'s default; the API\'s is False)' },
  source: { kind: 'string', default: null, help: 'predict: an image (PNG, JPEG, BMP, GIF, WebP, TIFF), a folder, a glob, a .txt list of paths, or a dataset split (mnist160/test)' },
  save_txt: { kind: 'bool', default: false, help: 'predict: write labels/<name>.txt with the top-5 lines "0.99 7"' },
  save_period: { kind: 'int', default: -1, min: -1, help: 'also keep weights/epochE every this many epochs (-1 = off)' },
  cache: { kind: 'choice', default: 'disk', choices: ['disk', 'ram', 'False', 'True'], help: 'decoded images: disk = a uint8 file per split in <dataset>/.cache, ram = kept in this process, False = decode the PNGs every run (True = ram)' },
  epochs: { kind: 'int', default: 10, min: 1, help: 'number of passes over the training set' },
  time: { kind: 'number', default: null, min: 0, help: 'hours of training; overrides epochs (re-planned after the first epoch from its duration), as Ultralytics' },
  patience: { kind: 'int', default: 100, min: 0, help: 'stop after this many epochs without a better fitness ((top1+top5)/2); 0 = never' },
  batch: { kind: 'int', default: 16, min: 1, help: 'images per training step' },
  imgsz: { kind: 'int', default: 28, min: 8, help: 'square input size in pixels; images are resized to it (28 is native MNIST)' },
  device: { kind: 'choice', default: 'auto', choices: ['auto', 'tensorflow', 'wasm', 'cpu'], help: 'tfjs backend: auto tries tensorflow (tfjs-node), then wasm, then cpu' },
  replicas: { kind: 'int', default: 0, min: 0, help: 'data-parallel training: the batch is split over this many worker threads, each a single-threaded copy of the model, gradients averaged every step; 0 = one per core on wasm, else 1' },
  project: { kind: 'string', default: null, help: 'folder of runs; default runs/<task>' },
  name: { kind: 'string', default: null, help: 'run folder name; default the mode, numbered when taken (train, train2, ...)' },
  resume: { kind: 'string', default: 'False', help: 'True: continue the newest unfinished run in project from its weights/last; or the path of a run\'s weights/last' },
  exist_ok: { kind: 'bool', default: false, help: 'reuse project/name instead of numbering a new folder' },
  seed: { kind: 'int', default: 0, min: 0, help: 'seed of weight initialisation, shuffling and augmentation' },
  deterministic: { kind: 'bool', default: true, help: 'results depend on the settings and seed only: replicas=0 means 2 replicas (when replicas pay off) whatever the core count; False = one per core' },
  optimizer: { kind: 'choice', default: 'auto', choices: ['auto', 'SGD', 'Adam', 'AdamW'], help: "auto = Ultralytics' rule: AdamW with lr0 = 0.002·5/(4 + classes) and momentum 0.9 for runs of up to 10,000 steps, else SGD with lr0 0.01 and momentum 0.9 (lr0 and momentum ignored)" },
  lr0: { kind: 'fraction', default: 0.01, help: 'initial learning rate (SGD 1e-2, Adam 1e-3)' },
  lrf: { kind: 'fraction', default: 0.01, help: 'final learning rate as a fraction of lr0 (linear or cosine decay per epoch)' },
  cos_lr: { kind: 'bool', default: false, help: 'cosine learning-rate decay from lr0 to lr0·lrf instead of linear' },
  momentum: { kind: 'fraction', default: 0.937, help: 'SGD momentum, Adam/AdamW beta1' },
  weight_decay: { kind: 'number', default: 0.0005, min: 0, help: 'AdamW decoupled weight decay of kernels and weight matrices (not of biases or BatchNorm)' },
  warmup_epochs: { kind: 'number', default: 3.0, min: 0, help: 'epochs of linear learning-rate warmup from 0 (at least 100 steps, at most a third of the run)' },
  warmup_momentum: { kind: 'fraction', default: 0.8, help: 'SGD momentum at the start of warmup, rising to momentum (Adam and AdamW keep beta1, as in Ultralytics)' },
  warmup_bias_lr: { kind: 'number', default: 0.1, min: 0, help: 'learning rate of biases at the start of warmup, falling to the schedule (optimizer=auto sets 0)' },
  label_smoothing: { kind: 'fraction', default: 0.0, help: 'label smoothing of the training loss' },
  dropout: { kind: 'fraction', default: 0.0, help: 'dropout before the classifier layer while training' },
  fraction: { kind: 'fraction', default: 1.0, help: 'train on this fraction of the training images (the first ones of a fixed shuffle)' },
  degrees: { kind: 'number', default: 0.0, min: 0, help: 'training images are rotated by up to ± this many degrees (the MNIST family sets 10)' },
  translate: { kind: 'fraction', default: 0.1, help: 'training images are shifted by up to ± this fraction of their side' },
  scale: { kind: 'fraction', default: 0.5, help: 'random resized crop of a training image over an area fraction of 1 − scale to 1 (the MNIST family sets 0: crops cut digits)' },
  fliplr: { kind: 'fraction', default: 0.5, help: 'probability of a horizontal flip of a training image (datasets of digits and letters set 0)' },
  erasing: { kind: 'fraction', default: 0.4, help: "probability of Ultralytics' random erasing of a training image: a rectangle of 2–33% of its area set to 0 (the MNIST family sets 0)" },
  elastic: { kind: 'fraction', default: 0.0, help: 'elastic distortion of training images (Simard et al. 2003): a smooth random displacement field whose RMS is this fraction of the side (0.05 ≈ their α=34, σ=4 at 28 px); not an Ultralytics key' },
  val: { kind: 'bool', default: true, help: 'validate after every epoch (the last epoch is always validated)' },
  plots: { kind: 'bool', default: true, help: 'write results.png, confusion_matrix.png, confusion_matrix_normalized.png and train_batch0.jpg' },
  split: { kind: 'choice', default: 'val', choices: ['val', 'test', 'train'], help: 'split used by val mode (val falls back to test)' },
  format: { kind: 'string', default: null, help: 'export: tfjs (a graph model stock tfjs loads), onnx (opset 17, NCHW), or tfjs-layers (the layers model, needs @yolo-ts/models); default tfjs' },
  half: { kind: 'bool', default: false, help: 'export: store the weights as float16 (about half the size)' },
  int8: { kind: 'bool', default: false, help: 'export: store the weights as 8-bit integers with a scale per tensor (about a quarter of the size)' },
  dynamic: { kind: 'bool', default: false, help: 'export: a dynamic batch axis (otherwise the batch is fixed at batch=, 1 unless given)' },
  verbose: { kind: 'bool', default: true, help: 'print the model summary and per-epoch lines' },
} as const satisfies Record<string, Setting>;

export type SettingKey = keyof typeof SETTINGS;

/** A fully resolved run configuration. */
export interface RunConfig {
  task: 'classify';
  mode: 'train' | 'val' | 'predict' | 'export';
  model: string;
  pretrained: string;
  data: string;
  save: boolean;
  source: string | null;
  save_txt: boolean;
  save_period: number;
  cache: 'disk' | 'ram' | 'False' | 'True';
  epochs: number;
  time: number | null;
  patience: number;
  batch: number;
  imgsz: number;
  device: 'auto' | 'tensorflow' | 'wasm' | 'cpu';
  replicas: number;
  project: string | null;
  name: string | null;
  resume: string;
  exist_ok: boolean;
  seed: number;
  deterministic: boolean;
  optimizer: 'auto' | 'SGD' | 'Adam' | 'AdamW';
  lr0: number;
  lrf: number;
  cos_lr: boolean;
  momentum: number;
  weight_decay: number;
  warmup_epochs: number;
  warmup_momentum: number;
  warmup_bias_lr: number;
  label_smoothing: number;
  dropout: number;
  fraction: number;
  degrees: number;
  translate: number;
  scale: number;
  fliplr: number;
  erasing: number;
  elastic: number;
  val: boolean;
  plots: boolean;
  split: 'val' | 'test' | 'train';
  format: string | null;
  half: boolean;
  int8: boolean;
  dynamic: boolean;
  verbose: boolean;
}

export function defaultConfig(): RunConfig {
  return Object.fromEntries(Object.entries(SETTINGS).map(([k, s]) => [k, s.default])) as unknown as RunConfig;
}
