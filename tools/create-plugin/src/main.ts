#!/usr/bin/env node
// `pnpm create-plugin NAME [DIR]`: scaffolds yolo-ts-plugin-NAME (default folder: ./yolo-ts-plugin-NAME).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { YoloTsError } from '@yolo-ts/core-data';
import { createPlugin } from './create.js';

const [name, dir = `yolo-ts-plugin-${name}`] = process.argv.slice(2);
if (!name) {
  console.error('usage: pnpm create-plugin NAME [DIR]   (NAME as typed after data=, e.g. kmnist)');
  process.exit(2);
}
try {
  const manifest = join(fileURLToPath(import.meta.resolve('@yolo-ts/core-data')), '..', '..', 'package.json');
  const { version } = JSON.parse(await readFile(manifest, 'utf8')) as { version: string };
  const files = await createPlugin(name, dir, version);
  console.log(`created ${dir}: ${files.join(', ')}`);
  console.log(`next: fill in the files, mirrors and classes in ${join(dir, 'src', 'index.ts')}, then pnpm install && pnpm test there`);
} catch (error) {
  if (!(error instanceof YoloTsError)) throw error;
  console.error(`create-plugin: ${error.message}`);
  process.exit(2);
}
