import { SETTINGS } from './defaults.js';

/**
 * Every key of Ultralytics' `cfg/default.yaml` (8.4), in its order. Those yolo-ts has no setting for are accepted
 * and ignored with one warning each, so a command copied from Ultralytics runs; any other key is an error.
 */
const ULTRALYTICS_KEYS = `task mode model data epochs time patience batch imgsz save save_period cache device workers project name
exist_ok pretrained optimizer verbose seed deterministic single_cls rect cos_lr close_mosaic resume amp fraction profile
freeze multi_scale compile overlap_mask mask_ratio dropout val split save_json conf iou max_det half dnn plots end2end
source vid_stride stream_buffer visualize augment agnostic_nms classes retina_masks embed show save_frames save_txt
save_conf save_crop show_labels show_conf show_boxes line_width format keras optimize int8 dynamic simplify opset
workspace nms lr0 lrf momentum weight_decay warmup_epochs warmup_momentum warmup_bias_lr box cls cls_pw dfl pose kobj
rle angle nbs hsv_h hsv_s hsv_v degrees translate scale shear perspective flipud fliplr bgr mosaic mixup cutmix
copy_paste copy_paste_mode auto_augment erasing cfg tracker save_dir`.split(/\s+/);

/** Ultralytics' keys that yolo-ts accepts and ignores. */
export const IGNORED_ULTRALYTICS_KEYS: ReadonlySet<string> = new Set(ULTRALYTICS_KEYS.filter((k) => !Object.hasOwn(SETTINGS, k)));

export function isIgnoredUltralyticsKey(key: string): boolean {
  return IGNORED_ULTRALYTICS_KEYS.has(key);
}

/** The warning for an ignored key. */
export function ignoredKeyWarning(key: string): string {
  return `WARNING '${key}' is an Ultralytics argument that yolo-ts classify does not use; ignoring it`;
}
