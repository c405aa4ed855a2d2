#!/usr/bin/env bash
# Makes the pretrained weights that @yolo-ts/weights ships (model=yolo26n-cls.pt), not run in CI (~20 min on 2 cores).
# Trains yolo26n-cls from scratch on MNIST's 60,000 training images only with the recipe of the shipped weights (the
# MNIST default until 2026-12-03: auto lr, batch 64; the plugin's default is now AdamW 0.002 at batch 32) and copies
# the LAST epoch's weights: the test split is only ever validated on, so no test image is trained on and nothing is
# picked by test accuracy (weights/best would be).
#   tools/pretrain.sh            # then commit packages/weights/yolo26n-cls
set -euo pipefail
cd "$(dirname "$0")/.."
project=$PWD/runs/pretrain
name=yolo26n-cls-$(date +%Y%m%d-%H%M%S)
pnpm -s yolo-ts classify train data=mnist model=yolo26n-cls.yaml epochs=10 imgsz=28 seed=0 optimizer=auto cos_lr=False label_smoothing=0 batch=64 project="$project" name="$name"
out=packages/weights/yolo26n-cls
rm -rf "$out.tmp" && cp -r "$project/$name/weights/last" "$out.tmp" && rm -rf "$out" && mv "$out.tmp" "$out"
cp "$project/$name/results.csv" "$out/results.csv"
echo "pretrained weights: $out (from $project/$name, last epoch: $(tail -n 1 "$out/results.csv"))"
