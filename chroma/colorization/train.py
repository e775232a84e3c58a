"""Train the colorization prior: ``python -m chroma.colorization.train --data DIR --out DIR``.

Reads a folder of photos, preloads them resized in memory, and trains
:class:`ColorNet` on random crops (random scale and flip, seeded) with the
soft-encoded, class-rebalanced cross-entropy of Zhang et al. (2016), or with
an L2 loss on a*b* (``--head l2``, the "sepia" twin). Hints are fed in a
fraction of the batches (local a*b* points, a global a*b* histogram) so that
the same net serves guided colorization and works without them.

Writes to ``--out``: ``config.json``, ``log.jsonl`` (loss per epoch, held-out
metrics every ``--eval-every`` epochs), ``last.pt`` (each epoch) and ``best.pt``
(lowest held-out a*b* RMSE). The run stops after ``--epochs`` or ``--minutes``,
whichever comes first; the learning rate follows a cosine over that budget.

Export a checkpoint into shippable weights (float16 state dict + bins + prior
and a JSON record with the SHA-256, recipe, data and metrics)::

    python -m chroma.colorization.train --export runs/prior_ce/last.pt \
        --to chroma/colorize/weights/prior.pt

Recipes
-------
``cpu`` (the shipped weights): width 32, crops 80 px from photos preloaded at
short side 160, batch 16, AdamW lr 2e-3, 55 minutes; run with ``--threads 1``
(and ``OMP_NUM_THREADS=1 NUMBA_NUM_THREADS=1``), the L2 twin beside it in a
second process (see docs/colorize.md for the exact commands).
``gpu`` (documented, never run: no GPU was available): width 40, crops 224 px from photos at
short side 320, batch 64, 400 epochs, ``--device cuda``.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

import numpy as np

RECIPES = {
    "cpu": dict(width=32, crop=80, preload=160, batch=16, lr=2e-3, epochs=10_000,
                minutes=55.0, min_scale=0.45, p_local=0.2, p_global=0.2, device="cpu",
                crops="", hint_weight=0.0, hint_branch=0),
    # v2 (issue 12): hints on 90% of samples, larger multi-scale crops, fine-tuned
    # from the v1 weights (``--init``)
    "cpu2": dict(width=32, crop=112, preload=192, batch=12, lr=1e-3, epochs=10_000,
                 minutes=62.0, min_scale=0.5, p_local=0.9, p_global=0.25, device="cpu",
                 crops="96,112,128", hint_weight=1.0, hint_branch=1),
    "gpu": dict(width=40, crop=224, preload=320, batch=64, lr=2e-3, epochs=400,
                minutes=14.0, min_scale=0.45, p_local=0.9, p_global=0.25, device="cuda",
                crops="160,192,224", hint_weight=1.0, hint_branch=1),
}
SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp"}


def list_photos(folder: Path) -> list[Path]:
    files = sorted(p for p in Path(folder).iterdir() if p.suffix.lower() in SUFFIXES)
    if not files:
        raise FileNotFoundError(f"no image files in --data folder {str(folder)!r}")
    return files


def load_resized(path: Path, short_side: int) -> np.ndarray:
    """Read an image as uint8 RGB with its short side resized to ``short_side``."""
    from PIL import Image

    from chroma.io import read_image

    img = read_image(path)
    if img.dtype != np.uint8:
        img = np.rint(img.astype(np.float32) / np.iinfo(img.dtype).max * 255).astype(np.uint8)
    if img.ndim == 2:
        img = np.repeat(img[..., None], 3, axis=-1)
    img = img[..., :3]
    h, w = img.shape[:2]
    s = short_side / min(h, w)
    size = (max(1, round(w * s)), max(1, round(h * s)))
    return np.asarray(Image.fromarray(img).resize(size, Image.BILINEAR, reducing_gap=3.0))


def compute_prior(images: list[np.ndarray], bins: np.ndarray) -> np.ndarray:
    """Empirical a*b* prior over bins: soft-encoded counts at 1/4 resolution, smoothed."""
    from chroma.colorization.bins import encode_soft, prior_from_counts
    from chroma.spaces import _convert_float

    counts = np.zeros(len(bins))
    for img in images:
        small = img[::4, ::4].astype(np.float32) / 255.0
        ab = _convert_float(small, "rgb", "lab", backend="numpy")[..., 1:]
        counts += encode_soft(ab.reshape(-1, 2), bins).sum(axis=0)
    return prior_from_counts(counts, bins)


class Batcher:
    """Random crops with random scale and horizontal flip, from preloaded uint8 images."""

    def __init__(self, images, crop, min_scale, rng):
        self.images = images
        self.crop = crop
        self.min_scale = min_scale
        self.rng = rng

    def sample(self, torch, idx: int, crop: int | None = None):
        crop = self.crop if crop is None else crop
        img = self.images[idx]
        h, w = img.shape[:2]
        lo = max(self.min_scale, crop / min(h, w))
        scale = self.rng.uniform(lo, 1.0) if lo < 1.0 else 1.0
        r = min(round(crop / scale), h, w)
        y = int(self.rng.integers(0, h - r + 1))
        x = int(self.rng.integers(0, w - r + 1))
        patch = torch.from_numpy(np.ascontiguousarray(img[y:y + r, x:x + r]))
        patch = patch.permute(2, 0, 1).float()[None] / 255.0
        if r != crop:
            from torch.nn import functional as F

            patch = F.interpolate(patch, size=(crop, crop), mode="bilinear",
                                  align_corners=False, antialias=r > crop).clamp(0, 1)
        if self.rng.random() < 0.5:
            patch = patch.flip(-1)
        return patch

    def batch(self, torch, indices, crop: int | None = None):
        return torch.cat([self.sample(torch, int(i), crop) for i in indices], 0)


def n_hint_points(rng) -> int:
    """How many point hints a sample gets (ideepcolor-style, Zhang et al. 2017).

    A mixture of geometric laws: most samples get 1-20 points (mean 8), a
    quarter get many (mean 40, up to 160) so dense hinting is seen too.
    """
    if rng.random() < 0.75:
        return int(min(rng.geometric(1 / 8), 160))
    return int(min(rng.geometric(1 / 40), 160))


def make_hints(torch, lab, p_local, rng, max_patch=9):
    """Simulated user hints for a batch: (B, 2, H, W) a*b* and (B, 1, H, W) mask.

    A sample gets hints with probability ``p_local`` (the others get none, so
    the net keeps working unguided); a hint is a square of 1..``max_patch`` px
    holding the mean a*b* of the truth in that square, as in ideepcolor.
    """
    bsz, _, h, w = lab.shape
    hint = torch.zeros(bsz, 2, h, w, device=lab.device)
    mask = torch.zeros(bsz, 1, h, w, device=lab.device)
    for i in range(bsz):
        if rng.random() >= p_local:
            continue
        for _ in range(n_hint_points(rng)):
            p = int(rng.integers(1, max_patch + 1))
            y = int(rng.integers(0, h - p + 1))
            x = int(rng.integers(0, w - p + 1))
            hint[i, :, y:y + p, x:x + p] = lab[i, 1:, y:y + p, x:x + p].mean(dim=(1, 2),
                                                                            keepdim=True)
            mask[i, :, y:y + p, x:x + p] = 1.0
    return hint, mask


def build_inputs(torch, lab, z, p_local, p_global, rng):
    """Network inputs (x, hist) from a Lab batch and its 1/4-res soft targets."""
    from chroma.colorization._net import AB_SCALE

    bsz, _, h, w = lab.shape
    hint, mask = make_hints(torch, lab, p_local, rng)
    glob = torch.from_numpy((rng.random(bsz) < p_global).astype(np.float32)).to(lab.device)
    hist = z.mean(dim=(2, 3)) * glob[:, None]
    x = torch.cat([lab[:, :1] / 50.0 - 1.0, hint / AB_SCALE, mask,
                   glob[:, None, None, None].expand(bsz, 1, h, w)], dim=1)
    return x, hist, mask


def loss_fn(torch, out, z, ab_small, weights, head, hint_mask=None, hint_weight=0.0):
    """Rebalanced soft cross-entropy (head "ce") or L2 on a*b* / 110 (head "l2").

    With ``hint_weight`` > 0, the cross-entropy of the 1/4-res cells that hold a
    hint counts ``1 + hint_weight`` times (a hint-fidelity term).
    """
    from torch.nn import functional as F

    if head == "ce":
        logp = F.log_softmax(out, dim=1)
        ce = -(z * logp).sum(dim=1)
        wpix = weights[z.argmax(dim=1)]
        if hint_mask is not None and hint_weight:
            wpix = wpix * (1.0 + hint_weight * F.max_pool2d(hint_mask, 4)[:, 0])
        return (ce * wpix).mean()
    return F.mse_loss(out, ab_small / 110.0)


def evaluate(model_obj, photos, temperature=0.38, side=160):
    """Held-out metrics: a*b* RMSE, PSNR and colorfulness ratio (pred / truth).

    Decoded as Zhang et al. do (annealed mean at ``temperature``, no prior
    correction) at a ``side`` px working size; the library's defaults differ
    (see :mod:`chroma.colorization.prior`), so these numbers track training, not
    the shipped behavior.
    """
    from chroma.colorization._infer import predict_ab
    from chroma.spaces import _convert_float
    from chroma.spaces.gamut import lab_to_srgb_keep_lightness

    model_obj.net.eval()
    rmse, psnr, cf_p, cf_t, psnr_h = [], [], [], [], []
    rng = np.random.default_rng(1234)
    for img in photos:
        rgb = img.astype(np.float32) / 255.0
        lab = _convert_float(rgb, "rgb", "lab", backend="numpy")  # no Numba threads here
        truth = np.rint(rgb * 255) / 255.0
        ab = predict_ab(model_obj, lab[..., 0], temperature=temperature, side=side)
        out_lab = np.concatenate([lab[..., :1], ab], axis=-1)
        out = np.rint(lab_to_srgb_keep_lightness(out_lab, backend="numpy") * 255) / 255.0
        rmse.append(float(np.sqrt(((ab - lab[..., 1:]) ** 2).sum(-1).mean())))
        mse = float(((out - truth) ** 2).mean())
        psnr.append(10 * math.log10(1.0 / max(mse, 1e-12)))
        cf_p.append(_colorfulness(out))
        cf_t.append(_colorfulness(truth))
        # 10 random point hints (3x3 squares of the truth's a*b*)
        h, w = lab.shape[:2]
        hab = np.zeros((h, w, 2), np.float32)
        hm = np.zeros((h, w), np.float32)
        for y, x in zip(rng.integers(1, h - 1, 10), rng.integers(1, w - 1, 10), strict=True):
            hab[y - 1:y + 2, x - 1:x + 2] = lab[y, x, 1:]
            hm[y - 1:y + 2, x - 1:x + 2] = 1.0
        ab = predict_ab(model_obj, lab[..., 0], temperature=temperature, side=side,
                        hint_ab=hab, hint_mask=hm)
        out_lab = np.concatenate([lab[..., :1], ab], axis=-1)
        out = np.rint(lab_to_srgb_keep_lightness(out_lab, backend="numpy") * 255) / 255.0
        psnr_h.append(10 * math.log10(1.0 / max(float(((out - truth) ** 2).mean()), 1e-12)))
    return {"val_ab_rmse": float(np.mean(rmse)), "val_psnr": float(np.mean(psnr)),
            "val_cf_ratio": float(np.mean(cf_p) / max(np.mean(cf_t), 1e-9)),
            "val_psnr_h10": float(np.mean(psnr_h))}


def _colorfulness(rgb):
    """Hasler & Süsstrunk (2003) colorfulness of sRGB in [0, 1] (0..255 scale)."""
    r, g, b = (rgb[..., i] * 255.0 for i in range(3))
    rg = r - g
    yb = 0.5 * (r + g) - b
    return float(np.hypot(rg.std(), yb.std()) + 0.3 * np.hypot(rg.mean(), yb.mean()))


def save_checkpoint(torch, path, net, config, bins, prior, meta):
    tmp = Path(str(path) + ".tmp")
    torch.save({"state_dict": net.state_dict(), "config": config,
                "bins": torch.from_numpy(np.asarray(bins, dtype=np.float32)),
                "prior": torch.from_numpy(np.asarray(prior, dtype=np.float64)),
                "meta": meta}, tmp)
    tmp.replace(path)


def train(args) -> Path:
    from chroma.colorization._infer import LoadedModel
    from chroma.colorization._net import torch_parts
    from chroma.colorization.bins import ab_bins, rebalance_weights

    parts = torch_parts()
    torch = parts["torch"]
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    rng = np.random.default_rng(args.seed)
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    config = {k: getattr(args, k) for k in (
        "recipe", "head", "width", "crop", "preload", "batch", "lr", "epochs", "minutes",
        "min_scale", "p_local", "p_global", "seed", "holdout", "max_steps", "device",
        "crops", "hint_weight", "hint_branch")}
    config["data"] = str(args.data)
    photos = list_photos(Path(args.data))
    if args.limit:
        photos = photos[: args.limit]
    hold = set(range(0, len(photos), max(1, len(photos) // args.holdout))[: args.holdout]) \
        if args.holdout else set()
    train_files = [p for i, p in enumerate(photos) if i not in hold]
    val_files = [p for i, p in enumerate(photos) if i in hold]
    config["train_files"] = len(train_files)
    config["val_files"] = [p.name for p in val_files]
    (out_dir / "config.json").write_text(json.dumps(config, indent=2))
    print(f"loading {len(train_files)} training photos (+{len(val_files)} held out)...",
          file=sys.stderr)
    t0 = time.time()
    images = [load_resized(p, args.preload) for p in train_files]
    val_images = [load_resized(p, 256) for p in val_files]
    bins = ab_bins().copy()
    prior = compute_prior(images, bins)
    weights = torch.from_numpy(rebalance_weights(prior, lam=0.5).astype(np.float32))
    device = torch.device(args.device)
    bins_t = torch.from_numpy(bins.copy()).to(device)
    weights = weights.to(device)
    print(f"loaded in {time.time() - t0:.1f}s; {len(bins)} bins", file=sys.stderr)
    net = parts["ColorNet"](len(bins), width=args.width, head=args.head,
                            hint_branch=bool(args.hint_branch))
    if args.init:
        # warm start (fine-tuning): float16 or float32 state dict; a new hint branch
        # (absent from the init) keeps its fresh, zero-output initialization
        init = torch.load(args.init, map_location="cpu", weights_only=True)
        try:
            missing, unexpected = net.load_state_dict(
                {k: v.float() if v.is_floating_point() else v
                 for k, v in init["state_dict"].items()}, strict=False)
        except RuntimeError as err:  # shapes differ (another width)
            raise ValueError(f"--init {args.init}: does not fit this network ({err})") from None
        if unexpected or any(not k.startswith("hint_branch.") for k in missing):
            raise ValueError(f"--init {args.init}: does not fit this network "
                             f"(missing {missing}, unexpected {unexpected})")
        config["init"] = Path(args.init).name
    net = net.to(device)
    crops = [args.crop] if not args.crops else [int(c) for c in str(args.crops).split(",")]
    n_params = sum(p.numel() for p in net.parameters())
    config["n_params"] = n_params
    (out_dir / "config.json").write_text(json.dumps(config, indent=2))
    opt = torch.optim.AdamW(net.parameters(), lr=args.lr, weight_decay=1e-4)
    batcher = Batcher(images, args.crop, args.min_scale, rng)
    steps_per_epoch = max(1, len(images) // args.batch)
    budget = args.minutes * 60.0
    total_steps = args.epochs * steps_per_epoch
    if args.max_steps:
        total_steps = min(total_steps, args.max_steps)
    warmup = min(50, max(1, total_steps // 10))
    log = open(out_dir / "log.jsonl", "a")
    start = time.time()
    step = 0
    best = math.inf
    from tqdm.auto import tqdm

    bar = tqdm(total=total_steps, desc=f"train {args.head}", unit="step",
               disable=args.quiet, mininterval=5.0)
    done = False
    epoch = 0
    while not done:
        epoch += 1
        net.train()
        order = rng.permutation(len(images))
        losses = []
        for k in range(steps_per_epoch):
            elapsed = time.time() - start
            progress = max(step / total_steps, elapsed / budget)
            if progress >= 1.0:
                done = True
                break
            lr = args.lr * min(1.0, (step + 1) / warmup) * 0.5 * (1 + math.cos(math.pi * progress))
            for g in opt.param_groups:
                g["lr"] = lr
            idx = order[k * args.batch:(k + 1) * args.batch]
            crop = int(crops[int(rng.integers(len(crops)))])
            rgb = batcher.batch(torch, idx, crop).to(device)
            lab = parts["rgb_to_lab"](rgb)
            ab_small = torch.nn.functional.avg_pool2d(lab[:, 1:], 4)
            z = parts["soft_encode"](ab_small, bins_t)
            x, hist, hmask = build_inputs(torch, lab, z, args.p_local, args.p_global, rng)
            out = net(x, hist)
            loss = loss_fn(torch, out, z, ab_small, weights, args.head, hmask,
                           args.hint_weight)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            losses.append(loss.item())
            step += 1
            bar.update(1)
            bar.set_postfix(loss=f"{np.mean(losses[-20:]):.3f}", lr=f"{lr:.1e}")
        if not losses:
            break
        done = done or step >= total_steps
        entry = {"epoch": epoch, "step": step, "time_s": round(time.time() - start, 1),
                 "train_loss": float(np.mean(losses)), "lr": lr}
        net_cpu = net.to("cpu")
        if val_images and (epoch % args.eval_every == 0 or done):
            entry.update(evaluate(LoadedModel(net_cpu, bins, prior, config, {}), val_images))
        net = net_cpu.to(device)
        log.write(json.dumps(entry) + "\n")
        log.flush()
        meta = {"epoch": epoch, "step": step, **entry}
        save_checkpoint(torch, out_dir / "last.pt", net.to("cpu"), config, bins, prior, meta)
        # best = lowest held-out a*b* RMSE (epochs without evaluation do not compete);
        # without held-out photos, the lowest training loss
        score = entry.get("val_ab_rmse", math.inf) if val_images else entry["train_loss"]
        if score < best:
            best = score
            save_checkpoint(torch, out_dir / "best.pt", net, config, bins, prior, meta)
        net = net.to(device)
    bar.close()
    log.close()
    print(f"done: {step} steps, {epoch} epochs, {time.time() - start:.0f}s -> {out_dir}",
          file=sys.stderr)
    return out_dir / "last.pt"


def _portable(path) -> str:
    """A path without the machine's prefix: from the shared folder on (``photos/train``)."""
    parts = Path(str(path)).parts
    if "shared" in parts:
        return "/".join(parts[parts.index("shared") + 1:])
    if Path(str(path)).is_absolute():
        return "/".join(parts[-2:])
    return str(path)


def export(checkpoint: Path, target: Path, *, metrics: dict | None = None,
           command: str | None = None) -> dict:
    """Write float16 weights + a JSON record (SHA-256, recipe, data, metrics).

    The record holds no absolute machine path: the data folder is named from
    the shared folder on (``photos/train``), the checkpoint by its run folder.
    """
    from chroma.colorization._infer import sha256_file
    from chroma.colorization._net import import_torch

    torch = import_torch()
    blob = torch.load(checkpoint, map_location="cpu", weights_only=True)
    state = {k: (v.half() if v.is_floating_point() else v) for k, v in blob["state_dict"].items()}
    config = {k: v for k, v in blob["config"].items() if k not in ("val_files",)}
    if "data" in config:
        config["data"] = _portable(config["data"])
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"state_dict": state, "config": config, "bins": blob["bins"],
                "prior": blob["prior"].float()}, target)
    log = Path(checkpoint).parent / "log.jsonl"
    history = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    record = {
        "file": target.name,
        "sha256": sha256_file(target),
        "bytes": target.stat().st_size,
        "recipe": config.get("recipe"),
        "config": config,
        "checkpoint": {"path": _portable(checkpoint), **blob.get("meta", {})},
        "data": {"folder": config.get("data"), "train_photos": config.get("train_files"),
                 "held_out_photos": blob["config"].get("val_files", [])},
        "training_log_last": history[-1] if history else None,
        "metrics": metrics or {},
        "command": command or "python -m chroma.colorization.train " + " ".join(
            f"--{k.replace('_', '-')} {v}" for k, v in (
                ("recipe", config.get("recipe")), ("head", config.get("head")),
                ("minutes", config.get("minutes")), ("seed", config.get("seed")))),
    }
    target.with_suffix(".json").write_text(json.dumps(record, indent=2) + "\n")
    return record


def parse_args(argv=None):
    p = argparse.ArgumentParser(prog="python -m chroma.colorization.train", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", help="folder of training photos")
    p.add_argument("--out", help="output folder (checkpoints, log)")
    p.add_argument("--recipe", choices=sorted(RECIPES), default="cpu")
    p.add_argument("--head", choices=["ce", "l2"], default="ce",
                   help="ce: Zhang's rebalanced soft cross-entropy; l2: regression twin")
    for name, typ in (("width", int), ("crop", int), ("preload", int), ("batch", int),
                      ("lr", float), ("epochs", int), ("minutes", float),
                      ("min_scale", float), ("p_local", float), ("p_global", float),
                      ("crops", str), ("hint_weight", float), ("hint_branch", int)):
        p.add_argument(f"--{name.replace('_', '-')}", type=typ, default=None,
                       help="overrides the recipe")
    p.add_argument("--device", default=None, help="torch device (recipe default)")
    p.add_argument("--init", default=None, help="warm start from these weights (.pt)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--holdout", type=int, default=10,
                   help="training photos held out for per-epoch metrics")
    p.add_argument("--eval-every", type=int, default=1)
    p.add_argument("--limit", type=int, default=0, help="use only the first N photos")
    p.add_argument("--max-steps", type=int, default=0, help="stop after N steps (smoke)")
    p.add_argument("--quiet", action="store_true")
    p.add_argument("--export", metavar="CKPT", help="export CKPT to shippable weights")
    p.add_argument("--to", metavar="FILE", help="target .pt for --export")
    p.add_argument("--record-command", default=None,
                   help="the training command to write into the exported record")
    args = p.parse_args(argv)
    for k, v in RECIPES[args.recipe].items():
        if getattr(args, k) is None:
            setattr(args, k, v)
    if args.export is None and (args.data is None or args.out is None):
        p.error("--data and --out are required for training")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.export:
        record = export(Path(args.export), Path(args.to or "prior.pt"),
                        command=args.record_command)
        print(json.dumps({k: record[k] for k in ("file", "sha256", "bytes")}))
        return 0
    train(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
