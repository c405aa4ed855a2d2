"""PyTorch reference for issue 13: Ultralytics' yolo26n-cls (the anchor's re-implementation) trained from scratch
on mnist160's 80 training images as Ultralytics would (AdamW lr 0.000714, betas 0.9/0.999, wd 5e-4, batch 16,
BN momentum 0.03), evaluated on its 80 test images in eval mode (running statistics) and in train mode (batch
statistics). Shows whether PyTorch/Ultralytics from scratch has the same short-run BatchNorm trouble.
Run: LD_LIBRARY_PATH=... /usr/bin/python3 tools/pytorch-compare/mnist160_scratch.py EPOCHS [precise]"""
import sys, os
sys.path.insert(0, os.environ.get("ANCHOR_DIR", "../shared/anchors/pytorch"))
import torch, torch.nn as nn, torch.nn.functional as F
from bench_train import Yolo26Cls, load_mnist, _default_data

torch.manual_seed(0)
torch.set_num_threads(2)
xtr, ytr, xte, yte = load_mnist(_default_data())
def first_per_class(x, y, k=8):
    idx = torch.cat([torch.nonzero(y == c)[:k, 0] for c in range(10)])
    return x[idx].float() / 255, y[idx]
xtr, ytr = first_per_class(torch.as_tensor(xtr), torch.as_tensor(ytr))
xte, yte = first_per_class(torch.as_tensor(xte), torch.as_tensor(yte))
epochs = int(sys.argv[1]); precise = len(sys.argv) > 2
model = Yolo26Cls("n", 10, 1)
opt = torch.optim.AdamW(model.parameters(), lr=0.000714, betas=(0.9, 0.999), weight_decay=5e-4)
steps = epochs * 5
warm = min(max(round(3 * 5), 100), steps // 3)
step = 0
for e in range(epochs):
    model.train()
    perm = torch.randperm(80)
    for b in range(5):
        i = perm[b * 16:(b + 1) * 16]
        lf = (1 - e / epochs) * (1 - 0.01) + 0.01
        lr = 0.000714 * lf * (min(step / warm, 1) if warm else 1)
        for g in opt.param_groups: g["lr"] = lr
        loss = F.cross_entropy(model(xtr[i]), ytr[i])
        opt.zero_grad(); loss.backward(); opt.step(); step += 1
    if precise:
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d): m.reset_running_stats(); m.momentum = None
        with torch.no_grad(): model(xtr)
    with torch.no_grad():
        model.eval(); ev = (model(xte).argmax(1) == yte).float().mean().item()
        model.train(); tr = (model(xte).argmax(1) == yte).float().mean().item()
    print(f"epoch {e+1}: loss {loss.item():.4f} eval-mode top1 {ev:.4f} train-mode top1 {tr:.4f}")
