import { SETTINGS } from '@yolo-ts/trainer';

/** The grammar and every setting with its default, generated from the one defaults table. */
export function settingsHelp(): string {
  const rows = Object.entries(SETTINGS)
    .filter(([k]) => k !== 'task' && k !== 'mode')
    .map(([k, s]) => `  ${`${k}=${s.default ?? ''}`.padEnd(22)} ${s.help}`);
  return [
    'Usage: yolo-ts [classify] MODE key=value ...',
    '',
    'MODE is one of train, val, predict, export.',
    'Examples:',
    '  yolo-ts classify train data=mnist160 model=yolo26n-cls.pt epochs=5   # fine-tune the pretrained weights',
    '  yolo-ts classify train data=mnist model=yolo26n-cls.yaml epochs=10   # from scratch',
    '  yolo-ts classify train resume=True                                   # continue the newest interrupted run',
    '  yolo-ts classify val model=runs/classify/train/weights/best',
    '  yolo-ts classify predict model=runs/classify/train/weights/best source=digits/ save_txt=True',
    '  yolo-ts classify export model=runs/classify/train/weights/best format=onnx   # or format=tfjs; half=True, int8=True',
    '  yolo-ts classify predict model=runs/classify/train/weights/best.onnx source=digits/   # run an export',
    '  yolo-ts classify train data=path/to/folder epochs=3   # train/ and val/ (or test/) with a folder per class',
    '  yolo-ts datasets                    # known datasets; datasets prepare NAME, datasets path NAME',
    '  yolo-ts help | version | checks | cfg | copy-cfg | settings [key=value ...|reset]',
    '',
    'Settings (key=default):',
    ...rows,
  ].join('\n');
}
