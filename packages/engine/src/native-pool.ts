import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { NativeKernels } from './native.js';
import type { NativeCall } from './work-split.js';

/**
 * Helper threads for the native kernels on tfjs' threaded wasm build. XNNPACK threads its own ops, but the native
 * kernels (gemm, BatchNorm, short convs, col2im, Adam) would run on one core. Each helper instantiates the same
 * module on the same shared memory, so a kernel splits its rows or images between the calling thread and the
 * helpers and no data moves. The kernels touch no static data and no stack (see native/kernels.c), so instances
 * can run at once. Calls are handed over through a small shared control block and Atomics (a few µs), which is why
 * callers only split work of some size.
 */

/**
 * Control block of one helper: [state, kernel index, argument count, caller asleep] then the arguments as float64.
 * Both sides spin a little before sleeping (a compiled step posts hundreds of calls in quick succession, and a
 * wake-up from Atomics.wait takes tens of µs), and each notifies only a side that said it sleeps. A helper claims
 * posted work (POSTED → RUNNING) before it runs it, and the caller, once its own share is done, takes back work no
 * helper has claimed: where threads outnumber free cores (two runs at once, a host's steal time) a helper that is
 * not scheduled then costs nothing, instead of a scheduler slice per call.
 */
const IDLE = 0;
const POSTED = 1;
const DONE = 2;
const FAILED = 3;
/** The helper sleeps, waiting for work. */
const SLEEPING = 4;
/** The helper runs what was posted. */
const RUNNING = 5;
const MAX_ARGS = 24;
/** Float64 words of a helper's program buffer (a recorded list of calls, see {@link NativePool.recorder}). */
const PROGRAM_WORDS = 1 << 16;
/** Polls of a control word before a thread sleeps on it (~0.1 ms). */
const SPINS = 50_000;

const HELPER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { memory, bytes, control, names, port, programBuffer } = workerData;
const exports = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports;
const kernels = names.map((name) => exports[name]);
const state = new Int32Array(control, 0, 4);
const args = new Float64Array(control, 16, ${MAX_ARGS});
const program = new Float64Array(programBuffer);
${runProgram.toString()}
for (;;) {
  for (let spin = 0; spin < ${SPINS} && Atomics.load(state, 0) === ${IDLE}; spin++);
  if (Atomics.compareExchange(state, 0, ${IDLE}, ${SLEEPING}) === ${IDLE}) Atomics.wait(state, 0, ${SLEEPING});
  if (Atomics.compareExchange(state, 0, ${POSTED}, ${RUNNING}) !== ${POSTED}) continue;
  try {
    if (state[1] === names.length) runProgram(kernels, program, state[2]);
    else kernels[state[1]](...args.subarray(0, state[2]));
    Atomics.store(state, 0, ${DONE});
  } catch (error) {
    port.postMessage(String(error && error.message || error));
    Atomics.store(state, 0, ${FAILED});
  }
  if (Atomics.load(state, 3)) Atomics.notify(state, 0);
}
`;

/** Runs the recorded calls in program[0, words): [kernel index, argument count, arguments...]... */
function runProgram(kernels: ((...args: number[]) => void)[], program: Float64Array, words: number): void {
  for (let at = 0; at < words; ) {
    const argc = program[at + 1]!;
    kernels[program[at]!]!(...program.subarray(at + 2, at + 2 + argc));
    at += 2 + argc;
  }
}

interface Helper {
  state: Int32Array;
  args: Float64Array;
  program: Float64Array;
  port: MessagePort;
}

/** Calls recorded for a helper to run in one go: a NativeKernels whose methods append instead of running. */
export interface Recording {
  kernels: NativeKernels;
  /** Forgets what was recorded. */
  clear(): void;
  /** Words recorded. */
  readonly words: number;
}

export class NativePool {
  private readonly helpers: Helper[];
  private readonly names: string[];
  private readonly index: Map<string, number>;
  private readonly table: ((...args: number[]) => void)[];
  private taken = 0;

  constructor(
    private readonly kernels: NativeKernels,
    memory: WebAssembly.Memory,
    bytes: Uint8Array,
    helpers: number,
  ) {
    this.names = Object.keys(kernels);
    this.index = new Map(this.names.map((name, i) => [name, i]));
    this.table = this.names.map((name) => kernels[name as keyof NativeKernels] as (...args: number[]) => void);
    this.helpers = Array.from({ length: helpers }, () => {
      const control = new SharedArrayBuffer(16 + 8 * MAX_ARGS);
      const programBuffer = new SharedArrayBuffer(8 * PROGRAM_WORDS);
      const { port1, port2 } = new MessageChannel();
      const worker = new Worker(HELPER_SOURCE, { eval: true, workerData: { memory, bytes, control, names: this.names, port: port2, programBuffer }, transferList: [port2] });
      worker.unref(); // parked helpers must not keep the process alive
      port1.unref();
      return { state: new Int32Array(control, 0, 4), args: new Float64Array(control, 16, MAX_ARGS), program: new Float64Array(programBuffer), port: port1 };
    });
  }

  /** Shares posted to a helper that this thread ran itself because no helper had claimed them yet. */
  get takenBack(): number {
    return this.taken;
  }

  /** Threads that share the work: this one and the helpers. */
  get threads(): number {
    return this.helpers.length + 1;
  }

  /**
   * A recording for the first helper: code given `recording.kernels` in place of the real ones records its calls,
   * which {@link runBeside} then runs on that helper with one hand-over instead of one per call.
   */
  recorder(): Recording {
    const program = this.helpers[0]!.program;
    let words = 0;
    const append = (index: number) => (...args: number[]) => {
      if (words + 2 + args.length > program.length) throw new Error(`native pool: a recorded program over ${program.length} words`);
      program[words] = index;
      program[words + 1] = args.length;
      program.set(args, words + 2);
      words += 2 + args.length;
    };
    const kernels = Object.fromEntries(this.names.map((name, i) => [name, append(i)])) as unknown as NativeKernels;
    return { kernels, clear: () => void (words = 0), get words() { return words; } };
  }

  /** Runs `recording` on the first helper while `here` runs on this thread; returns when both are done. */
  runBeside(recording: Recording, here: () => void): void {
    const helper = this.helpers[0]!;
    this.post(helper, this.names.length, recording.words);
    try {
      here();
    } finally {
      this.join([helper], 'a recorded program');
    }
  }

  /** Runs calls[0] here and the others on helpers (at most `threads` calls); returns when all are done. */
  run(calls: NativeCall[]): void {
    const posted = calls.slice(1).map(([name, args], i) => {
      const helper = this.helpers[i]!;
      helper.args.set(args);
      this.post(helper, this.index.get(name)!, args.length);
      return helper;
    });
    const [name, args] = calls[0]!;
    (this.kernels[name] as (...a: number[]) => void)(...args);
    this.join(posted, `native kernel ${calls[1]?.[0]}`);
  }

  /** Hands kernel `index` (or, at names.length, the program) with `count` arguments (words) to `helper`. */
  private post(helper: Helper, index: number, count: number): void {
    helper.state[1] = index;
    helper.state[2] = count;
    if (Atomics.exchange(helper.state, 0, POSTED) === SLEEPING) Atomics.notify(helper.state, 0);
  }

  /**
   * Waits for `helpers` to finish what was posted, running here what none has claimed yet; throws what one of them
   * (or its share run here) failed with.
   */
  private join(helpers: Helper[], what: string): void {
    const failures: string[] = [];
    for (const helper of helpers) {
      if (Atomics.compareExchange(helper.state, 0, POSTED, IDLE) === POSTED) {
        this.taken++;
        try {
          this.runHere(helper);
        } catch (error) {
          failures.push(String((error as Error)?.message ?? error));
        }
        continue;
      }
      for (let spin = 0; spin < SPINS && Atomics.load(helper.state, 0) === RUNNING; spin++);
      if (Atomics.load(helper.state, 0) === RUNNING) {
        Atomics.store(helper.state, 3, 1);
        while (Atomics.load(helper.state, 0) === RUNNING) Atomics.wait(helper.state, 0, RUNNING);
        Atomics.store(helper.state, 3, 0);
      }
      if (helper.state[0] === FAILED) failures.push(String(receiveMessageOnPort(helper.port)?.message));
      Atomics.store(helper.state, 0, IDLE);
    }
    if (failures.length) throw new Error(`${what} failed in a helper's share: ${failures[0]}`);
  }

  /** Runs what was posted to `helper` on this thread. */
  private runHere(helper: Helper): void {
    if (helper.state[1] === this.names.length) runProgram(this.table, helper.program, helper.state[2]!);
    else this.table[helper.state[1]!]!(...helper.args.subarray(0, helper.state[2]));
  }
}
