"""Can decoding or an ensemble move the automatic colorizer's vivid-wrong / colorfulness frontier?

Every decoding knob of the automatic network (prior correction, vibrancy, the
hue-consistency exponent) trades colorfulness against vivid-wrong pixels along one
curve. This script measures that curve for several *variants* of the automatic
prediction, each over the same decoding grid, on the photos held out from training
(the 10 training photos the run held out and the 16 unseen photos of
``benchmarks/unseen_photos.py``; never the eval photos):

* ``auto``: the shipped automatic network, four views (the default path);
* ``auto + neutral gate``: the decoded a*b* also scaled by ``(1 - P(C*ab < 12)) ** 1``,
  the calibrated probability mass the network puts on near-neutral bins;
* ``auto + aggregation``: the distribution averaged over a 5 x 5 cell window of the
  1/4-resolution grid, each neighbour weighted by its L* similarity (bilateral,
  sigma 8 L*), before decoding: edge-aware aggregation of the predicted distribution;
* ``hint net``: the hint-trained network without hints;
* ``auto + hint net``: the mean of the two networks' distributions (an ensemble);
* with ``--extra W``: ``extra`` (other exported weights) and ``auto + extra``.

For each variant it reports, on the 26 photos together, the setting with the fewest
vivid-wrong pixels among those at least as colorful as 0.7, 0.8, 0.85 and 0.9 x the
truth, with its PSNR against gray's; and how many settings meet issue 12's automatic
bars there (vivid-wrong <= 9 %, CF 0.85-1.15 x, PSNR >= gray - 1 dB).

Run: ``python benchmarks/colorization_frontier.py [--extra runs/x/export.pt]``
-> ``benchmarks/results/colorization_frontier.{md,json}``. It needs the training
photos (``/work/shared/photos/train``) and ``photos_unseen/``; without them it says
so and stops.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import colorization as C

CORRECTIONS = (0.3, 0.5, 0.7)
VIBRANCIES = (0.35, 0.5, 0.65)
CONFIDENCES = (0.5, 1.0, 1.5)
FLOORS = (0.7, 0.8, 0.85, 0.9)


def _probs(raw: np.ndarray) -> np.ndarray:
    p = np.exp(raw - raw.max(0, keepdims=True))
    return p / p.sum(0, keepdims=True)


def aggregate(raw: np.ndarray, lightness: np.ndarray, radius: int = 2,
              sigma: float = 8.0) -> np.ndarray:
    """Log of the L*-bilateral window mean of the distribution (C, h, w)."""
    from chroma.colorization._infer import resize_plane
    from chroma.colorization._net import import_torch

    torch = import_torch()
    _, h, w = raw.shape
    small = resize_plane(torch, torch.from_numpy(np.ascontiguousarray(
        lightness, np.float32))[None, None], (h, w))[0, 0].numpy()
    p = _probs(raw)
    r = radius
    pp = np.pad(p, ((0, 0), (r, r), (r, r)), mode="edge")
    lp = np.pad(small, r, mode="edge")
    acc = np.zeros_like(p)
    total = np.zeros((h, w), np.float32)
    for dy, dx in itertools.product(range(-r, r + 1), repeat=2):
        wgt = np.exp(-((lp[r + dy:r + dy + h, r + dx:r + dx + w] - small) ** 2)
                     / (2 * sigma * sigma)).astype(np.float32)
        acc += wgt * pp[:, r + dy:r + dy + h, r + dx:r + dx + w]
        total += wgt
    return np.log(np.maximum(acc / total, 1e-12))


def decode_gated(model, raw, *, temperature, correction, confidence, gate):
    """:func:`chroma.colorization._decode.decode`, times ``(1 - P(neutral)) ** gate``."""
    from chroma.colorization._decode import decode

    ab = decode(model, raw, temperature=temperature, correction=correction,
                confidence=confidence)
    if gate:
        bins = model.bins.astype(np.float32)
        neutral = (np.hypot(bins[:, 0], bins[:, 1]) < 12).astype(np.float32)
        logits = raw.reshape(raw.shape[0], -1) - correction * model.log_rebalance[:, None]
        p_neutral = neutral @ _probs(logits)
        ab = ab * (np.clip(1 - p_neutral, 0, 1) ** gate).reshape(*raw.shape[1:], 1)
    return ab


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--extra", default=None, help="other exported weights to try (.pt)")
    ap.add_argument("--out", default="colorization_frontier")
    ap.add_argument("--corrections", type=float, nargs="+", default=list(CORRECTIONS))
    ap.add_argument("--vibrancies", type=float, nargs="+", default=list(VIBRANCIES))
    ap.add_argument("--confidences", type=float, nargs="+", default=list(CONFIDENCES))
    ap.add_argument("--variants", nargs="+", default=None,
                    help="only these variants (names as in the table)")
    args = ap.parse_args(argv)

    from chroma.colorization import load_weights
    from chroma.colorization._decode import guided_upsample, predict_logits
    from chroma.colorization._infer import load_auto_model, load_model
    from chroma.colorization.prior import WORKING_SIZE
    from chroma.spaces import convert
    from chroma.spaces.gamut import lab_to_srgb_keep_lightness

    hint = load_weights()
    auto = load_auto_model()
    held = [C.TRAIN_DIR / f for f in hint.record["data"]["held_out_photos"]]
    if not all(p.is_file() for p in held):
        sys.exit(f"{C.TRAIN_DIR}: the held-out training photos are missing")
    files = held + C.photos(C.UNSEEN_DIR)
    extra = load_model(Path(args.extra)) if args.extra else None
    inv_prior = 1.0 / auto.prior
    views = C.VIEW_SETS["2 sizes + flip"]
    truths = [C.load_truth(p) for p in files]
    labs = [convert(t, "rgb", "lab") for t in truths]
    grays = [C.score(t, C.gray_baseline(t.astype(np.float32) / 255), inv_prior, auto.bins)
             for t in truths]

    def logits(model):
        return [predict_logits(model, lab[..., 0], side=WORKING_SIZE, views=views)
                for lab in labs]

    def mix(a, b):
        return [np.log(0.5 * np.exp(x) + 0.5 * np.exp(y)) for x, y in zip(a, b, strict=True)]

    t0 = time.time()
    la, lh = logits(auto), logits(hint)
    variants = {
        "auto": (la, 0, auto),
        "auto + neutral gate": (la, 1, auto),
        "auto + aggregation": ([aggregate(r, lab[..., 0]) for r, lab in zip(la, labs,
                                                                           strict=True)], 0,
                               auto),
        "hint net": (lh, 0, hint),
        "auto + hint net": (mix(la, lh), 0, auto),
    }
    if extra is not None:
        le = logits(extra)
        variants["extra"] = (le, 0, extra)
        variants["auto + extra"] = (mix(la, le), 0, auto)
    if args.variants:
        variants = {k: v for k, v in variants.items() if k in args.variants}
    results = {}
    for name, (raws, gate, model) in variants.items():
        rows = []
        for c, v, k in itertools.product(args.corrections, args.vibrancies, args.confidences):
            per = []
            for t, lab, raw, g in zip(truths, labs, raws, grays, strict=True):
                ab = decode_gated(model, raw, temperature=max(1 - v, 0.01), correction=c,
                                  confidence=k, gate=gate)
                up = guided_upsample(ab, lab[..., 0], radius=0, eps=1.0)
                out = lab_to_srgb_keep_lightness(np.concatenate([lab[..., :1], up], -1))
                s = C.score(t, out, inv_prior, auto.bins)
                per.append({"dpsnr": s["psnr"] - g["psnr"], "vw": s["vivid_wrong"],
                            "cf": s["cf"], "cf_truth": s["cf_truth"]})
            mean = {q: float(np.mean([p[q] for p in per])) for q in per[0]}
            mean["cf_ratio"] = mean["cf"] / mean["cf_truth"]
            held_n = len(held)
            for label, part in (("heldout", per[:held_n]), ("unseen", per[held_n:])):
                mean[label] = {"dpsnr": float(np.mean([p["dpsnr"] for p in part])),
                               "vw": float(np.mean([p["vw"] for p in part])),
                               "cf_ratio": float(np.mean([p["cf"] for p in part])
                                                 / np.mean([p["cf_truth"] for p in part]))}
            rows.append({"correction": c, "vibrancy": v, "confidence": k, **mean})
        results[name] = rows
        print(f"{name}: done ({time.time() - t0:.0f} s)", file=sys.stderr, flush=True)

    lines = ["# The automatic colorizer's frontier: vivid-wrong against colorfulness", "",
             f"Generated by `python benchmarks/colorization_frontier.py "
             f"{' '.join(argv if argv is not None else sys.argv[1:])}` (protocol in its "
             f"docstring) on {len(files)} photos held out from training ({len(held)} "
             f"held-out training photos + {len(files) - len(held)} unseen photos), never "
             f"the eval photos; 256 px short side; load average {os.getloadavg()[0]:.1f}.",
             "", "Each cell: the setting (correction, vibrancy, confidence) with the fewest "
             "vivid-wrong pixels among those whose colorfulness is at least the column's "
             "share of the truth's; vivid-wrong %, PSNR - gray's (dB).", "",
             "| variant | " + " | ".join(f"CF >= {f:g}x" for f in FLOORS)
             + " | settings meeting the bars |",
             "|---|" + "---|" * len(FLOORS) + "---:|"]
    for name, rows in results.items():
        cells = []
        for floor in FLOORS:
            ok = [r for r in rows if r["cf_ratio"] >= floor]
            if not ok:
                cells.append("—")
                continue
            b = min(ok, key=lambda r: r["vw"])
            cells.append(f"{100 * b['vw']:.1f} %, {b['dpsnr']:+.2f} "
                         f"({b['correction']:g}, {b['vibrancy']:g}, {b['confidence']:g})")
        bars = sum(r["vw"] <= 0.09 and 0.85 <= r["cf_ratio"] <= 1.15 and r["dpsnr"] >= -1.0
                   for r in rows)
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {bars} of {len(rows)} |")
    lines += ["", "The same frontier on each set alone (fewest vivid-wrong at CF >= 0.8x "
              "on that set):", "", "| variant | held-out training photos | unseen photos |",
              "|---|---|---|"]
    for name, rows in results.items():
        cells = []
        for label in ("heldout", "unseen"):
            ok = [r for r in rows if r[label]["cf_ratio"] >= 0.8]
            if ok:
                b = min(ok, key=lambda r: r[label]["vw"])[label]
                cells.append(f"{100 * b['vw']:.1f} %, {b['dpsnr']:+.2f} dB, "
                             f"CF {b['cf_ratio']:.2f}x")
            else:
                best = max(rows, key=lambda r: r[label]["cf_ratio"])[label]
                cells.append(f"never 0.8x (at most {best['cf_ratio']:.2f}x)")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    C.RESULTS.mkdir(parents=True, exist_ok=True)
    (C.RESULTS / f"{args.out}.md").write_text("\n".join(lines) + "\n")
    (C.RESULTS / f"{args.out}.json").write_text(json.dumps(
        {"photos": [p.name for p in files], "grid": {"corrections": args.corrections,
                                                   "vibrancies": args.vibrancies,
                                                   "confidences": args.confidences},
         "results": results}, indent=2) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
