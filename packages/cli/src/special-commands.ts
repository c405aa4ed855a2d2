import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { relaxedSimd, selectBackend } from '@yolo-ts/engine';
import { SETTINGS, readUserSettings, resetUserSettings, updateUserSettings, userSettingsFile } from '@yolo-ts/trainer';
import { stringify } from 'yaml';
import { settingsHelp } from './help.js';
import { UsageError } from './parse-args.js';

/** The version of a package installed for the engine (which depends on the backends), or undefined when absent. */
function versionOf(pkg: string): string | undefined {
  try {
    const engine = createRequire(fileURLToPath(import.meta.resolve('@yolo-ts/engine')));
    // From the package's entry up to its package.json (some packages do not export ./package.json).
    for (let dir = dirname(engine.resolve(pkg)); dir !== dirname(dir); dir = dirname(dir)) {
      const file = join(dir, 'package.json');
      if (!existsSync(file)) continue;
      const json = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version: string };
      if (json.name === pkg) return json.version;
    }
    return undefined;
  } catch {
    return undefined;
  }
}

/** yolo-ts' own version (this package's). */
export function version(): string {
  return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

/** Every setting with its default, as YAML (Ultralytics' `yolo cfg`). */
export function defaultsYaml(): string {
  return stringify(Object.fromEntries(Object.entries(SETTINGS).map(([k, s]) => [k, s.default])));
}

/** `yolo-ts checks`: versions, the backend that loads and why, threads and SIMD, and whether clang is there. */
async function checks(): Promise<void> {
  const backend = await selectBackend('auto');
  const tf = await import('@tensorflow/tfjs');
  const clang = (() => {
    try {
      return execFileSync('clang-16', ['--version'], { encoding: 'utf8' }).split('\n')[0];
    } catch {
      return 'not found (the engine uses its committed wasm kernels)';
    }
  })();
  const rows: [string, string][] = [
    ['yolo-ts', version()],
    ['Node.js', process.versions.node],
    ['@tensorflow/tfjs', versionOf('@tensorflow/tfjs') ?? 'missing'],
    ['@tensorflow/tfjs-backend-wasm', versionOf('@tensorflow/tfjs-backend-wasm') ?? 'missing'],
    ['@tensorflow/tfjs-node', versionOf('@tensorflow/tfjs-node') ?? 'not installed'],
    ['backend', backend.summary.replace(/^backend: /, '')],
    ['wasm SIMD', (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) ? 'supported' : 'not supported'],
    ['wasm relaxed SIMD (yolo-ts kernels)', relaxedSimd() ? 'used' : 'not used'],
    ['clang-16', clang],
    ['settings', userSettingsFile()],
  ];
  for (const [k, v] of rows) console.log(`${k.padEnd(32)}${v}`);
}

/**
 * Ultralytics' special commands: `help`, `version`, `checks`, `cfg`, `copy-cfg`, `settings [key=value ...|reset]`.
 * Returns false when `words` is not one of them.
 */
export async function specialCommand(words: readonly string[]): Promise<boolean> {
  const [command, ...rest] = words;
  switch (command) {
    case 'help':
      console.log(settingsHelp());
      return true;
    case 'version':
      console.log(version());
      return true;
    case 'checks':
      await checks();
      return true;
    case 'cfg':
      process.stdout.write(defaultsYaml());
      return true;
    case 'copy-cfg': {
      const path = resolve('default_copy.yaml');
      if (existsSync(path)) throw new UsageError(`${path} exists already: remove it first`);
      await writeFile(path, defaultsYaml());
      console.log(`${path} created as a copy of the defaults. Use it with 'yolo-ts cfg=default_copy.yaml imgsz=28 batch=8'`);
      return true;
    }
    case 'settings': {
      const file = userSettingsFile();
      let shown;
      if (rest[0] === 'reset') shown = await resetUserSettings(file);
      else if (rest.length) {
        const changes = Object.fromEntries(
          rest.map((w) => {
            const eq = w.indexOf('=');
            if (eq < 1) throw new UsageError(`'${w}' is not key=value: write e.g. 'yolo-ts settings datasets_dir=/data'`);
            return [w.slice(0, eq), w.slice(eq + 1)];
          }),
        );
        shown = await updateUserSettings(changes, file);
      } else shown = readUserSettings(file);
      console.log(`${file}:\n${stringify(shown).trimEnd()}`);
      return true;
    }
    default:
      return false;
  }
}
