import { SETTINGS } from '@yolo-ts/trainer';

/** The grammar and every setting with its default, generated from the one defaults table. */
export function settingsHelp(): string {
  const rows = Object.entries(SETTINGS)
    .filter(([k]) => k !== 'task' && k !== 'mode')
    .map(([k, s]) => `  ${`${k}=${s.default ?? ''}`.padEnd(22)} ${s.help}`);
  return [
    'Usage: yolo-ts [classify] MODE key=value ...',
    '',
    'MODE is one of train, val (predict and export are not available yet).',
    'Examples:',
    '  yolo-ts classify train data=mnist160 epochs=3',
    '  yolo-ts classify train data=mnist model=cnn-bn epochs=5 batch=64',
    '  yolo-ts classify val model=runs/classify/train/weights/best',
    '  yolo-ts classify train data=path/to/folder epochs=3   # train/ and val/ (or test/) with a folder per class',
    '  yolo-ts datasets                    # known datasets; datasets prepare NAME, datasets path NAME',
    '',
    'Settings (key=default):',
    ...rows,
  ].join('\n');
}
