#!/usr/bin/env node
// `pnpm yolo-ts ...` inside the repo: builds the CLI and its packages through nx (cached, so usually instant),
// shows the build log only when the build fails, then runs the real binary with the given arguments.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const nx = join(root, 'node_modules', '.bin', 'nx');
const build = spawnSync(nx, ['run', 'yolo-ts:build', '--output-style=static'], { cwd: root, encoding: 'utf8', env: { ...process.env, NX_DAEMON: 'false' } });
if (build.status !== 0) {
  process.stderr.write(`${build.stdout ?? ''}${build.stderr ?? ''}\nyolo-ts: building the packages failed (log above)\n`);
  process.exit(build.status ?? 1);
}
const cli = spawnSync(process.execPath, [join(root, 'packages', 'cli', 'dist', 'main.js'), ...process.argv.slice(2)], { stdio: 'inherit', cwd: process.env.INIT_CWD ?? process.cwd() });
process.exit(cli.status ?? 1);
