#!/usr/bin/env node
// `node tools/run-package.mjs PROJECT ENTRY [args...]`: builds an nx project and its dependencies (cached, so
// usually instant), shows the build log only when the build fails, then runs ENTRY with the arguments from the
// folder pnpm was called in. Root scripts `pnpm yolo-ts` and `pnpm bench` go through it.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const [project, entry, ...args] = process.argv.slice(2);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const nx = join(root, 'node_modules', '.bin', 'nx');
const build = spawnSync(nx, ['run', `${project}:build`, '--output-style=static'], { cwd: root, encoding: 'utf8', env: { ...process.env, NX_DAEMON: 'false' } });
if (build.status !== 0) {
  process.stderr.write(`${build.stdout ?? ''}${build.stderr ?? ''}\n${project}: building the packages failed (log above)\n`);
  process.exit(build.status ?? 1);
}
const run = spawnSync(process.execPath, [join(root, entry), ...args], { stdio: 'inherit', cwd: process.env.INIT_CWD ?? process.cwd() });
process.exit(run.status ?? 1);
