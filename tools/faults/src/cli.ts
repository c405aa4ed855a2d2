import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built yolo-ts binary of this workspace. */
export const bin = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'packages', 'cli', 'dist', 'main.js');

/** Runs the CLI to its end (as user `uid` when given, e.g. 65534 = nobody), with its output. */
export const runCli = (args: string[], env: NodeJS.ProcessEnv, uid?: number) => spawnSync(process.execPath, [bin, ...args], { env, encoding: 'utf8', timeout: 120_000, uid, gid: uid });
