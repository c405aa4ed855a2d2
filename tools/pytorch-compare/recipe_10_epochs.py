"""PyTorch reference for issues 13 and 16: the anchor's yolo26n-cls (Ultralytics' layers, init, BN eps/momentum)
trained for E epochs on MNIST or Fashion-MNIST with the recipe yolo-ts' plugin uses (AdamW, decay on weights only,
linear warmup from 0, Ultralytics' one_cycle cosine or linear decay to lr0*lrf, ModelEMA decay 0.9999 tau 2000,
left-right flips, rotations of +-degrees and shifts of +-translate, bilinear as yolo-ts' warp; round=1 rounds the
shifts to whole pixels, interp=nearest samples the nearest pixel, as torchvision's RandomAffine), evaluated on the test split each epoch with the EMA weights after
recomputing BatchNorm statistics over 2,048 training images (as yolo-ts). Answers: does the architecture at 28 px
reach the issue's bar under the same budget, independent of yolo-ts?
Run: LD_LIBRARY_PATH=/tmp/openblas-anchor/root/usr/lib/x86_64-linux-gnu/openblas-pthread \
     /usr/bin/python3 tools/pytorch-compare/recipe_10_epochs.py DATA_DIR [key=value ...]
keys: epochs=10 batch=64 lr0=0.002 lrf=0.01 cos=1 warmup=1 fliplr=0.5 degrees=0 translate=0 round=0 interp=bilinear
      wd=0.0005 seed=0 smooth=0"""
import copy, gzip, math, os, sys, time
sys.path.insert(0, os.environ.get("ANCHOR_DIR", "../shared/anchors/pytorch"))
import numpy as np, torch, torch.nn as nn, torch.nn.functional as F
from bench_train import Yolo26Cls

def read_idx(path):
    buf = (gzip.open if path.endswith(".gz") else open)(path, "rb").read()
    ndim = buf[3]
    dims = [int.from_bytes(buf[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(buf, np.uint8, offset=4 + 4 * ndim).reshape(dims)

def load(root):
    def f(stem):
        for name in (stem, stem + ".gz"):
            if os.path.exists(os.path.join(root, name)): return read_idx(os.path.join(root, name))
        raise FileNotFoundError(stem)
    x = lambda a: torch.from_numpy(a.copy()).reshape(-1, 1, 28, 28)
    y = lambda a: torch.from_numpy(a.astype(np.int64))
    return x(f("train-images-idx3-ubyte")), y(f("train-labels-idx1-ubyte")), x(f("t10k-images-idx3-ubyte")), y(f("t10k-labels-idx1-ubyte"))

args = dict(epochs=10, batch=64, lr0=0.002, lrf=0.01, cos=1, warmup=1.0, fliplr=0.5, degrees=0.0, translate=0.0, round=0, interp="bilinear", wd=0.0005, seed=0, smooth=0.0, dropout=0.0, erasing=0.0, opt="adamw")
for kv in sys.argv[2:]:
    k, v = kv.split("="); args[k] = type(args[k])(float(v)) if isinstance(args[k], (int, float)) else v
print(args, flush=True)
torch.manual_seed(args["seed"]); torch.set_num_threads(2)
xtr, ytr, xte, yte = load(sys.argv[1])
model = Yolo26Cls("n", 10, 1)
model.model[-1].drop.p = args["dropout"]
ema = copy.deepcopy(model).eval()
for p in ema.parameters(): p.requires_grad_(False)
decay, nodecay = [], []
for m in model.modules():
    for n, p in m.named_parameters(recurse=False):
        (decay if n == "weight" and not isinstance(m, nn.BatchNorm2d) else nodecay).append(p)
groups = [{"params": decay, "weight_decay": args["wd"]}, {"params": nodecay, "weight_decay": 0}]
opt = torch.optim.SGD(groups, lr=args["lr0"], momentum=0.9, nesterov=True) if args["opt"] == "sgd" else torch.optim.AdamW(groups, lr=args["lr0"], betas=(0.9, 0.999))
E, B = args["epochs"], args["batch"]
nb = math.ceil(len(xtr) / B)
warm = min(max(round(args["warmup"] * nb), 100), E * nb // 3)
lf = (lambda e: ((1 - math.cos(e * math.pi / E)) / 2) * (args["lrf"] - 1) + 1) if args["cos"] else (lambda e: (1 - e / E) * (1 - args["lrf"]) + args["lrf"])

def augment(xb):
    n = len(xb); xb = xb.float()
    flip = torch.where(torch.rand(n) < args["fliplr"], -1.0, 1.0)
    a = (torch.rand(n) * 2 - 1) * math.radians(args["degrees"])
    t = (torch.rand(2, n) * 2 - 1) * args["translate"] * 28
    if args["round"]: t = t.round()
    if args["degrees"] == 0 and args["translate"] == 0 and args["fliplr"] == 0: return erase(xb)
    # inverse map of output -> source in normalised coordinates (affine_grid): undo shift, rotation, then flip
    cos, sin = torch.cos(a), torch.sin(a); tn = t / 14
    theta = torch.zeros(n, 2, 3)
    theta[:, 0, 0], theta[:, 0, 1] = cos * flip, sin * flip
    theta[:, 1, 0], theta[:, 1, 1] = -sin, cos
    theta[:, 0, 2] = -(cos * tn[0] + sin * tn[1]) * flip
    theta[:, 1, 2] = -(-sin * tn[0] + cos * tn[1])
    grid = F.affine_grid(theta, (n, 1, 28, 28), align_corners=False)
    return erase(F.grid_sample(xb, grid, mode=args["interp"], padding_mode="zeros", align_corners=False))

def erase(xb):
    for i in torch.nonzero(torch.rand(len(xb)) < args["erasing"])[:, 0].tolist():
        for _ in range(10):
            area = 784 * (0.02 + 0.31 * torch.rand(1).item())
            r = math.exp(math.log(0.3) + (math.log(3.3) - math.log(0.3)) * torch.rand(1).item())
            h, w = int(round(math.sqrt(area * r))), int(round(math.sqrt(area / r)))
            if h < 28 and w < 28:
                y0, x0 = torch.randint(0, 28 - h + 1, (1,)).item(), torch.randint(0, 28 - w + 1, (1,)).item()
                xb[i, :, y0:y0 + h, x0:x0 + w] = 0
                break
    return xb

def evaluate():
    net = copy.deepcopy(ema)
    for m in net.modules():
        if isinstance(m, nn.BatchNorm2d): m.reset_running_stats(); m.momentum = None
    net.train()
    g = torch.Generator().manual_seed(7)
    idx = torch.randperm(len(xtr), generator=g)[:2048]
    with torch.no_grad():
        for i in range(0, 2048, 256): net(xtr[idx[i:i + 256]].float() / 255)
        net.eval(); correct = 0
        for i in range(0, len(xte), 1000): correct += (net(xte[i:i + 1000].float() / 255).argmax(1) == yte[i:i + 1000]).sum().item()
    return correct / len(xte)

step, t0 = 0, time.time()
for e in range(E):
    model.train(); perm = torch.randperm(len(xtr)); tot = 0.0
    for b in range(nb):
        i = perm[b * B:(b + 1) * B]
        lr = args["lr0"] * lf(e) * (min(step / warm, 1) if warm else 1)  # Ultralytics interpolates from 0 to lf(e)
        for gr in opt.param_groups: gr["lr"] = lr
        loss = F.cross_entropy(model(augment(xtr[i]) / 255), ytr[i], label_smoothing=args["smooth"])
        opt.zero_grad(); loss.backward(); opt.step(); step += 1; tot += loss.item()
        d = 0.9999 * (1 - math.exp(-step / 2000))
        with torch.no_grad():
            for pe, pm in zip(ema.state_dict().values(), model.state_dict().values()):
                if pe.dtype.is_floating_point: pe.mul_(d).add_(pm.detach(), alpha=1 - d)
    print(f"epoch {e + 1}/{E}: train loss {tot / nb:.4f} test top-1 {evaluate():.4f} ({time.time() - t0:.0f} s)", flush=True)
