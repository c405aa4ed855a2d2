import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const bin = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'main.js');
const cwd = mkdtempSync(join(tmpdir(), 'yolo-ts-cli-'));
const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', timeout: 60_000 });

describe("yolo-ts binary: Ultralytics' special commands", () => {
  const home = mkdtempSync(join(tmpdir(), 'yolo-ts-home-'));
  const env = { ...process.env, YOLO_TS_CONFIG_DIR: home, YOLO_TS_DATASETS_DIR: '' };
  const runIn = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', timeout: 60_000, env });

  it('version prints the package version, checks the backend that loads and why', () => {
    const pkg = JSON.parse(readFileSync(join(dirname(bin), '..', 'package.json'), 'utf8')) as { version: string };
    expect(runIn('version').stdout.trim()).toBe(pkg.version);
    const checks = runIn('checks');
    expect(checks.status).toBe(0);
    expect(checks.stdout).toMatch(/^backend +wasm \(\d+ threads?/m);
    expect(checks.stdout).toMatch(/^@tensorflow\/tfjs +4\.\d+\.\d+$/m);
    expect(checks.stdout).toContain(join(home, 'settings.json'));
  });

  it('settings shows, sets, and resets the user settings file, which runs then use', () => {
    expect(runIn('settings').stdout).toMatch(/datasets_dir: datasets\nruns_dir: runs\nweights_dir: weights\nplugins: \[\]/);
    const datasets = join(home, 'my-datasets');
    const set = runIn('settings', `datasets_dir=${datasets}`, 'plugins=yolo-ts-plugin-a,yolo-ts-plugin-b');
    expect(set.status).toBe(0);
    const stored = JSON.parse(readFileSync(join(home, 'settings.json'), 'utf8'));
    expect(stored).toEqual({ datasets_dir: datasets, runs_dir: 'runs', weights_dir: 'weights', plugins: ['yolo-ts-plugin-a', 'yolo-ts-plugin-b'] });
    expect(runIn('datasets', 'path', 'mnist').stdout.trim()).toBe(join(datasets, 'mnist'));
    const bad = runIn('settings', 'dataset_dir=/x');
    expect([bad.status, bad.stderr.trim()]).toEqual([2, "yolo-ts: 'dataset_dir' is not a yolo-ts setting: the settings are datasets_dir, runs_dir, weights_dir, plugins"]);
    expect(runIn('settings', 'reset').status).toBe(0);
    expect(JSON.parse(readFileSync(join(home, 'settings.json'), 'utf8'))).toEqual({ datasets_dir: 'datasets', runs_dir: 'runs', weights_dir: 'weights', plugins: [] });
  });

  it('imports a third-party plugin only when data= names it or the settings list it', () => {
    const project = mkdtempSync(join(tmpdir(), 'yolo-ts-plugins-'));
    const pkg = join(project, 'node_modules', 'yolo-ts-plugin-foo');
    mkdirSync(pkg, { recursive: true });
    const marker = join(project, 'imported');
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'yolo-ts-plugin-foo', type: 'module', main: 'index.js' }));
    writeFileSync(
      join(pkg, 'index.js'),
      `import { writeFileSync } from 'node:fs'; writeFileSync(${JSON.stringify(marker)}, 'yes');\n` +
        "export default { name: 'foo', description: 'a test dataset', classes: ['a', 'b'], source: 'test', files: [{ name: 'x.bin', sha256: '00' }], mirrors: ['http://127.0.0.1:9'], build: async () => ({ train: {} }) };\n",
    );
    const inProject = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { cwd: project, encoding: 'utf8', timeout: 60_000, env });
    expect(inProject('classify', 'train', 'data=bar').stderr).toMatch(/unknown dataset 'bar'/);
    expect(existsSync(marker)).toBe(false);
    expect(inProject('classify', 'train', 'data=foo').stderr).toMatch(/could not download x\.bin/);
    expect(existsSync(marker)).toBe(true);
    rmSync(marker);
    expect(runIn('settings', 'plugins=yolo-ts-plugin-foo').status).toBe(0);
    expect(inProject('classify', 'train', 'data=bar').stderr).toMatch(/unknown dataset 'bar'/);
    expect(existsSync(marker)).toBe(true);
    expect(runIn('settings', 'reset').status).toBe(0);
  });

  it('cfg prints every default as YAML, and cfg= reads settings from such a file', () => {
    const cfg = runIn('cfg');
    expect(cfg.stdout).toMatch(/^epochs: 10$/m);
    expect(cfg.stdout).toMatch(/^patience: 100$/m);
    const file = join(home, 'run.yaml');
    writeFileSync(file, 'epochs: 1\nbatch: 10000\n');
    const r = runIn('classify', 'train', `cfg=${file}`, 'batch=-3');
    // The command line wins over the file.
    expect(r.stderr.trim()).toBe("yolo-ts: 'batch=-3' is an invalid value: 'batch' must be at least 1");
  });
});

describe('yolo-ts binary', () => {
  it('prints help with the grammar and every setting', () => {
    const r = run('--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Usage: yolo-ts \[classify\] MODE key=value/);
    expect(r.stdout).toMatch(/epochs=10 +number of passes/);
  });

  it.each([
    [['classify', 'train', 'epoch=3'], "yolo-ts: 'epoch' is not a valid yolo-ts argument. Similar arguments are i.e. 'epochs=10'."],
    [['classify', 'train', 'data=minst'], "yolo-ts: unknown dataset 'minst'. Did you mean 'mnist'?"],
    [['classify', 'train', 'data=mnist160', 'batch=-1'], "yolo-ts: 'batch=-1' is an invalid value: 'batch' must be at least 1"],
    [['classify', 'val', 'model=nowhere'], 'yolo-ts: model=nowhere is not a trained model'],
    [['classify', 'predict', 'model=yolo26n-cls.pt'], 'yolo-ts: predict needs source='],
    [['classify', 'export', 'model=yolo26n-cls.pt', 'format=xyz'], "yolo-ts: Invalid export format='xyz'. Valid formats are tfjs, onnx, tfjs-layers"],
    [['classify', 'export', 'model=nowhere', 'format=onnx'], 'yolo-ts: model=nowhere is not a trained model'],
  ])('%j fails with one clear line and exit code 2', (args, start) => {
    const r = run(...args);
    expect(r.status).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]!.startsWith(start)).toBe(true);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('prints the error code and a stack only when asked (verbose=True on the command line, or YOLO_TS_DEBUG=1)', () => {
    const asked = run('classify', 'train', 'data=minst', 'verbose=True');
    expect(asked.status).toBe(2);
    expect(asked.stderr).toMatch(/^yolo-ts: unknown dataset 'minst'.* \[E_DATA_NOT_FOUND\]\n\S*Error: .*\n\s+at /);
    const debug = spawnSync(process.execPath, [bin, 'classify', 'val', 'model=nowhere'], { cwd, encoding: 'utf8', env: { ...process.env, YOLO_TS_DEBUG: '1' } });
    expect(debug.stderr).toMatch(/\[E_CONFIG\]\n[\s\S]*\n\s+at /);
  });

  it('trains end to end and exits by itself (threaded wasm workers must not keep Node alive)', () => {
    const r = run('classify', 'train', 'data=mnist160', 'epochs=1', 'device=wasm', 'project=runs', 'name=e2e');
    expect(r.error).toBeUndefined(); // a timeout would set it
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^backend: wasm \(\d+ threads?/m);
    expect(r.stdout).toMatch(/1 epochs completed/);
  });

  it('exports the pretrained weights as tfjs and ONNX, which predict then runs (Ultralytics test_export)', () => {
    const tfjs = run('classify', 'export', 'model=yolo26n-cls.pt', 'format=tfjs', 'imgsz=28');
    expect(tfjs.status).toBe(0);
    expect(existsSync(join(cwd, 'yolo26n-cls_web_model', 'model.json'))).toBe(true);
    expect(tfjs.stdout).toMatch(/Export complete \(\d+\.\ds\)\nResults saved to .*\nPredict: +yolo-ts predict task=classify model=.*yolo26n-cls_web_model imgsz=28/);
    expect(tfjs.stdout).toContain('Visualize:       https://netron.app');
    const onnx = run('export', 'model=yolo26n-cls.pt', 'format=onnx', 'dynamic=True');
    expect(onnx.status).toBe(0);
    for (const model of ['yolo26n-cls_web_model', 'yolo26n-cls.onnx']) {
      const p = run('classify', 'predict', `model=${model}`, 'source=mnist160/test', 'save=False');
      expect([p.status, p.stderr]).toEqual([0, '']);
      expect(p.stdout).toMatch(/^image 80\/80 .*: 28x28 9 /m);
      const v = run('classify', 'val', `model=${model}`, 'data=mnist160', 'plots=False');
      expect(v.status).toBe(0);
      expect(v.stdout).toMatch(/^ +all +(1|0\.9\d*) +1$/m);
    }
  }, 120_000);

  it('lists the datasets', () => {
    const r = run('datasets');
    expect(r.status).toBe(0);
    for (const name of ['mnist', 'mnist160', 'emnist', 'fashion-mnist']) expect(r.stdout).toMatch(new RegExp(`^${name} `, 'm'));
  });
});
