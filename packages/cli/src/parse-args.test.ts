import { describe, expect, it } from 'vitest';
import { mergeEquals, parseCommand } from './parse-args.js';

describe('parseCommand', () => {
  it('reads TASK MODE key=value as Ultralytics does', () => {
    const p = parseCommand(['classify', 'train', 'data=mnist160', 'epochs=3', 'imgsz=28']);
    expect(p).toEqual({ task: 'classify', mode: 'train', settings: { data: 'mnist160', epochs: '3', imgsz: '28' }, warnings: [] });
    expect(parseCommand(['val', 'model=a/b']).task).toBeUndefined();
    expect(parseCommand(['task=classify', 'mode=val']).mode).toBe('val');
  });

  it('joins split equals, strips leading dashes with a warning, and treats bare bool keys as true', () => {
    expect(mergeEquals(['epochs', '=', '3', 'batch=', '8', 'lr0', '=0.1'])).toEqual(['epochs=3', 'batch=8', 'lr0=0.1']);
    const p = parseCommand(['train', '--epochs=2', 'exist_ok']);
    expect(p.settings).toEqual({ epochs: '2', exist_ok: true });
    expect(p.warnings).toEqual(["argument '--epochs=2' does not require leading dashes '--', updating to 'epochs=2'."]);
  });

  it('rejects bad words with one line that names the fix', () => {
    expect(() => parseCommand(['train', 'epoch=3'])).toThrow("'epoch' is not a valid yolo-ts argument. Similar arguments are i.e. 'epochs=10'.");
    expect(() => parseCommand(['trian'])).toThrow("'trian' is not a valid yolo-ts task, mode or argument. Did you mean 'train'? Run 'yolo-ts --help'.");
    expect(() => parseCommand(['train', 'epochs'])).toThrow("'epochs' is a valid yolo-ts argument but is missing an '=' sign to set its value, i.e. try 'epochs=10'");
    expect(() => parseCommand(['train', 'epochs='])).toThrow("missing 'epochs' value");
    expect(() => parseCommand(['mode=tain'])).toThrow("invalid mode 'tain'. Did you mean 'train'? Valid modes are train, val, predict, export");
    expect(() => parseCommand(['task=detect', 'train'])).toThrow("invalid task 'detect'. Valid tasks are classify");
  });
});
