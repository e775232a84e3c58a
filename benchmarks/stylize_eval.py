"""Evaluate chroma.stylize against the classical transfers on eval photo pairs.

For each (content, style) pair of photos from the eval set (not redistributable:
only numbers are written), every method runs with the lightness kept:

* ``reinhard``, ``mkl``, ``idt``: ``chroma.transfer(..., keep_luminance=True)``
  (Reinhard and IDT in Lab);
* ``idt+regrain``: IDT then regrain (the artifact reference);
* ``stylize/<operator>/<features>``: ``chroma.stylize`` with defaults otherwise.

Scores (lower is better):

* ``sw``: sliced-Wasserstein distance between the output's and the style's joint
  (L*, a*, b*) pixel distributions (``chroma.metrics.sliced_wasserstein_lab``);
* ``gram``: the mean relative Gram distance on a random-filter bank built with
  seed 2027, which the optimizer never sees (it draws its own from ``random_state``);
  images at 256 px on the long side;
* ``artifacts``: ``chroma.metrics.gradient_artifacts(output, image)`` (gradients the
  output has and the input had not);
* ``blotches``: ``chroma.stylization.color_blotches(output, image)`` (low-frequency a*b*
  changes that the input's colors do not explain, in regions of nearly flat L*: soft
  color patches, which ``artifacts`` does not see);
* ``dL``: max |ΔL*| between output and input (8-bit).

Timing (seconds, median of ``--repeats``): a full fit at ``size=512`` (style
statistics and operator), and applying the fitted operator to a 12 MP image.
The load average (``uptime``) is recorded next to them.

Run (about 20 minutes on 2 busy cores)::

    python benchmarks/stylize_eval.py --pairs 10 --out benchmarks/results/stylize.md
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import chroma  # noqa: E402
from chroma.metrics import gradient_artifacts, sliced_wasserstein_lab  # noqa: E402
from chroma.stylization import Stylizer, color_blotches  # noqa: E402
from chroma.stylization._stylizer import _lab, _proxy  # noqa: E402
from chroma.stylization._torch import evaluate_loss, style_statistics  # noqa: E402

EVAL = Path("/work/shared/photos/eval")
TRAIN = Path("/work/shared/photos/train")
BANK_SEED = 2027
CLASSICAL = {
    "reinhard": dict(method="reinhard", space="lab", keep_luminance=True),
    "mkl": dict(method="mkl", keep_luminance=True),
    "idt": dict(method="idt", space="lab", keep_luminance=True, random_state=0),
    "idt+regrain": dict(method="idt", space="lab", keep_luminance=True, regrain=True,
                        random_state=0),
}


def pairs(n: int) -> list[tuple[Path, Path]]:
    """Content i gets the style of the photo half the list away (deterministic)."""
    files = sorted(p for p in EVAL.iterdir() if p.suffix.lower() in (".jpg", ".png", ".jpeg"))
    half = len(files) // 2
    return [(files[i], files[i + half]) for i in range(min(n, half))]


def train_pair(i: int) -> tuple[Path, Path]:
    """Train pair `i` (how the defaults are chosen): the i-th train photo in sorted order
    and, as its style, the photo half the folder later. Exits when the photos are missing."""
    if not TRAIN.is_dir():
        raise SystemExit(f"{TRAIN} is missing: this script needs the train photos.")
    files = sorted(p for p in TRAIN.iterdir() if p.suffix.lower() in (".jpg", ".png", ".jpeg"))
    return files[i], files[i + len(files) // 2]


def load(path: Path, long_side: int) -> np.ndarray:
    img = chroma.read_image(path)
    img = img[..., :3] if img.ndim == 3 else np.repeat(img[..., None], 3, -1)
    x = _proxy(img.astype(np.float32) / 255.0, long_side)
    return (np.clip(x, 0, 1) * 255).round().astype(np.uint8)


def style_stats(style: np.ndarray):
    """The style's statistics on the scoring bank (random filters, BANK_SEED) at 256 px."""
    return style_statistics(_lab(_proxy(style.astype(np.float32) / 255, 256)), "random",
                            BANK_SEED)


def scores(image, out, style, style_stats) -> dict:
    f = lambda a: _lab(_proxy(a.astype(np.float32) / 255.0, 256))  # noqa: E731
    L0 = chroma.convert(image, "rgb", "lab")[..., 0]
    L1 = chroma.convert(out, "rgb", "lab")[..., 0]
    return {
        "sw": sliced_wasserstein_lab(out, style, random_state=0),
        "gram": evaluate_loss(f(out), style_stats, "random", BANK_SEED)["gram"],
        "artifacts": gradient_artifacts(out, image),
        "blotches": color_blotches(out, image),
        "dL": float(np.abs(L1 - L0).max()),
    }


def trial_pair(i: int):
    """Train pair ``i`` for the trial scripts: (image, style, score) at 512 px, where
    ``score(out)`` is the (sw, gram, artifacts, blotches) tuple of :func:`scores`."""
    content, style_path = train_pair(i)
    image, style = load(content, 512), load(style_path, 512)
    stats = style_stats(style)

    def score(out):
        s = scores(image, out, style, stats)
        return s["sw"], s["gram"], s["artifacts"], s["blotches"]

    return image, style, score


def print_pair(i: int, res: dict, agg: dict) -> None:
    """One trial pair's line (each setting's score tuple); the tuples also go to ``agg``."""
    for n, r in res.items():
        agg.setdefault(n, []).append(r)
    print(f"pair {i}", " ".join(f"{n}:" + "/".join(f"{x:.3g}" for x in r)
                                for n, r in res.items()), flush=True)


def print_mean(agg: dict) -> None:
    """The trial's MEAN line over the pairs gathered by :func:`print_pair`."""
    print("MEAN", " ".join(f"{n}:" + "/".join(f"{x:.3g}" for x in np.mean(r, 0))
                           for n, r in agg.items()))


def uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    except OSError:  # pragma: no cover
        return "n/a"


def timing(image, style, repeats: int, operator: str, features: str, *,
           fit: bool = True, options: dict | None = None) -> dict:
    """Median fit time at size=512 and median time to apply the fitted operator to 12 MP.

    ``fit=False`` times only the application (the operator is then fitted at
    64 px, which does not change the cost of applying it). With ``fit``, each
    repeat also times the one-stage fit (``coarse=0``: every iteration at 512
    px) right after the default (coarse to fine), so load affects both alike.
    ``options``: other Stylizer keywords (both fits and the application).
    """
    options = options or {}
    fits, singles, applies = [], [], []
    reps = -(-3000 // image.shape[0]), -(-4000 // image.shape[1])
    big = np.ascontiguousarray(np.tile(image, (*reps, 1))[:3000, :4000])  # 12 MP uint8
    load_before = uptime()
    for _ in range(repeats):
        t = time.perf_counter()
        st = Stylizer(operator, features=features, size=512 if fit else 64,
                      **({} if fit else {"iterations": 2}), random_state=0,
                      progress=False, **options).fit(style).fit_operator(image)
        if fit:
            fits.append(time.perf_counter() - t)
            t = time.perf_counter()
            Stylizer(operator, features=features, size=512, coarse=0.0,
                     random_state=0, progress=False, **options).fit(style).fit_operator(image)
            singles.append(time.perf_counter() - t)
        # JIT warm-up (the Numba kernel; wider than a regrain_size, so a carried regrain
        # takes the path of the 12 MP call), not timed
        st.apply(big[:128, :max(128, st.regrain_size + 64)])
        t = time.perf_counter()
        st.apply(big)
        applies.append(time.perf_counter() - t)
        print(f"# timing repeat: fit {fits[-1] if fits else float('nan'):.1f} s (one-stage "
              f"{singles[-1] if singles else float('nan'):.1f} s), apply "
              f"{applies[-1]:.2f} s, {uptime()}", flush=True)
    return {"fit_512_s": statistics.median(fits) if fits else None, "fits": fits,
            "fit_512_single_s": statistics.median(singles) if singles else None,
            "singles": singles,
            "apply_12mp_s": statistics.median(applies), "applies": applies,
            "apply_shape": list(big.shape), "load_before": load_before, "load_after": uptime()}


def _proxy_u8(img, side):
    x = _proxy(img.astype(np.float32) / 255.0, side)
    return (np.clip(x, 0, 1) * 255).round().astype(np.uint8)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pairs", type=int, default=10)
    ap.add_argument("--size", type=int, default=512, help="long side of the photos")
    ap.add_argument("--variants", default="grid/random",
                    help="comma-separated operator/features, e.g. grid/random,lut/random")
    ap.add_argument("--init", default="idt", help="Stylizer init (reinhard, idt, identity)")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--no-timing", action="store_true")
    ap.add_argument("--out", default=str(ROOT / "benchmarks/results/stylize.md"))
    ap.add_argument("--figure", default=None,
                    help="local-only figure of the pairs (eval photos are not redistributable)")
    ap.add_argument("--from-log", default=None,
                    help="rebuild the report from the JSON lines a previous run printed")
    ap.add_argument("--timing-only", action="store_true")
    ap.add_argument("--apply-only", action="store_true",
                    help="with --timing-only: time only the 12 MP application")
    ap.add_argument("--options", default="{}",
                    help='JSON of other Stylizer keywords for stylize and the timing, e.g. '
                         '\'{"change_blur": 1.5}\' (default: none, the defaults)')
    args = ap.parse_args(argv)
    variants = [tuple(v.split("/")) for v in args.variants.split(",")]
    options = json.loads(args.options)
    if args.from_log or args.timing_only:
        rows, timing_result = [], None
        if args.from_log:
            for line in Path(args.from_log).read_text().splitlines():
                if line.startswith("{"):
                    item = json.loads(line)
                    if "content" in item:
                        rows.append(item)
                    elif "fit_512_s" in item:
                        timing_result = item
        if args.timing_only:
            image, style = load(pairs(1)[0][0], 512), load(pairs(1)[0][1], 512)
            timing_result = timing(image, style, args.repeats, *variants[0],
                                   fit=not args.apply_only, options=options)
            print(json.dumps(timing_result), flush=True)
        write_report(Path(args.out), rows, variants, timing_result, args)
        return 0
    rows, thumbs = [], []
    print(uptime(), flush=True)
    for content_path, style_path in pairs(args.pairs):
        image, style = load(content_path, args.size), load(style_path, args.size)
        stats = style_stats(style)
        row = {"content": content_path.name, "style": style_path.name}
        outs = [image, _proxy_u8(style, max(image.shape[:2]))]
        for name, opts in CLASSICAL.items():
            out = chroma.transfer(image, style, **opts)
            row[name] = scores(image, out, style, stats)
            if name != "idt+regrain":
                outs.append(out)
        for operator, features in variants:
            t = time.perf_counter()
            out = chroma.stylize(image, style, operator=operator, features=features,
                                 init=args.init, random_state=0, progress=False, **options)
            key = f"stylize/{operator}/{features}"
            row[key] = scores(image, out, style, stats)
            row[key]["seconds"] = time.perf_counter() - t
            outs.append(out)
        rows.append(row)
        thumbs.append(outs)
        print(json.dumps({k: (v if isinstance(v, str) else {m: round(x, 3) for m, x in v.items()})
                          for k, v in row.items()}), flush=True)
    timing_result = None
    if not args.no_timing:
        image, style = load(pairs(1)[0][0], 512), load(pairs(1)[0][1], 512)
        timing_result = timing(image, style, args.repeats, *variants[0], options=options)
        print(json.dumps(timing_result), flush=True)
    write_report(Path(args.out), rows, variants, timing_result, args)
    if args.figure:
        write_figure(Path(args.figure), thumbs)
    return 0


def write_figure(path: Path, thumbs) -> None:
    from skimage.transform import resize

    h = 160
    lines = []
    for outs in thumbs:
        cells = []
        for o in outs:
            w = round(h * o.shape[1] / o.shape[0])
            small = resize(o, (h, w), preserve_range=True, anti_aliasing=True)
            cells.append(small.astype(np.uint8))
        lines.append(np.concatenate(cells, 1))
    width = max(line.shape[1] for line in lines)
    lines = [np.pad(line, ((0, 4), (0, width - line.shape[1]), (0, 0)), constant_values=255)
             for line in lines]
    chroma.write_image(path, np.concatenate(lines, 0), overwrite=True)


def write_report(path: Path, rows, variants, timing_result, args) -> None:
    methods = [*CLASSICAL, *(f"stylize/{o}/{f}" for o, f in variants)]
    options = json.loads(args.options)
    lines = ["# chroma.stylize on eval photo pairs", "",
             f"Reproduce: `python benchmarks/stylize_eval.py --pairs {args.pairs} --size "
             f"{args.size} --variants {args.variants} --init {args.init} "
             f"--repeats {args.repeats}"
             + (f" --options '{args.options}'" if options else "") + "`. "
             "Eval photos (not redistributable) at "
             f"{args.size} px on the long side; every method keeps the lightness. Lower is "
             "better for every score. `gram` uses a random-filter bank (seed 2027) that the "
             "optimizer does not use.", ""]
    for metric in ("sw", "gram", "artifacts", "blotches", "dL") if rows else ():
        lines += [f"## {metric}", "", "| content | style | " + " | ".join(methods) + " |",
                  "|---|---|" + "---|" * len(methods)]
        for r in rows:
            lines.append(f"| {r['content']} | {r['style']} | "
                         + " | ".join(f"{r[m][metric]:.3g}" for m in methods) + " |")
        means = [np.mean([r[m][metric] for r in rows]) for m in methods]
        lines.append("| **mean** | | " + " | ".join(f"**{v:.3g}**" for v in means) + " |")
        lines.append("")
    lines += ["## Done-when checks", ""]
    for o, f in variants if rows else ():
        key = f"stylize/{o}/{f}"
        for metric in ("sw", "gram"):
            for base in ("reinhard", "mkl", "idt"):
                wins = sum(r[key][metric] < r[base][metric] for r in rows)
                mean_ok = (np.mean([r[key][metric] for r in rows])
                           < np.mean([r[base][metric] for r in rows]))
                lines.append(f"- {key} vs {base} on {metric}: better on {wins}/{len(rows)} "
                             f"pairs; mean {'better' if mean_ok else 'WORSE'}")
        art = [r[key]["artifacts"] <= r["idt+regrain"]["artifacts"] for r in rows]
        lines.append(f"- {key} artifacts <= idt+regrain's on {sum(art)}/{len(rows)} pairs; "
                     f"mean {np.mean([r[key]['artifacts'] for r in rows]):.3g} vs "
                     f"{np.mean([r['idt+regrain']['artifacts'] for r in rows]):.3g}")
        blot = [r[key]["blotches"] <= r["idt"]["blotches"] for r in rows]
        lines.append(f"- {key} blotches <= idt's on {sum(blot)}/{len(rows)} pairs; "
                     f"mean {np.mean([r[key]['blotches'] for r in rows]):.3g} vs "
                     f"{np.mean([r['idt']['blotches'] for r in rows]):.3g}")
        lines.append(f"- {key} max |ΔL*| over all pairs: "
                     f"{max(r[key]['dL'] for r in rows):.3f} (target <= 0.5)")
        lines.append(f"- {key} mean seconds per call (512 px, default size): "
                     f"{np.mean([r[key]['seconds'] for r in rows]):.1f}")
    if timing_result:
        t = timing_result
        n = Stylizer().iterations
        c = round(Stylizer().coarse * n)
        lines += ["", "## Timing", "",
                  (f"- fit at size=512 (style statistics + operator, {variants[0]}, default "
                   f"coarse to fine: {c} iterations at 256 px, {n - c} at 512 px): median "
                   f"{t['fit_512_s']:.1f} s of {[round(v, 1) for v in t['fits']]} (target <= 20 s)"
                   if t["fits"] else "- fit: not timed in this run"),
                  *([f"- the same fit in one stage (`coarse=0`, all {n} iterations at 512 px), "
                     f"timed right after each default fit: median {t['fit_512_single_s']:.1f} s "
                     f"of {[round(v, 1) for v in t['singles']]}"] if t.get("singles") else []),
                  f"- apply the fitted operator to {t['apply_shape'][1]}x{t['apply_shape'][0]} "
                  f"uint8 (12 MP): median {t['apply_12mp_s']:.2f} s of "
                  f"{[round(v, 2) for v in t['applies']]} (target <= 2 s)",
                  f"- load before: `{t['load_before']}`", f"- load after: `{t['load_after']}`",
                  f"- machine: {os.cpu_count()} CPUs, optimizer torch threads "
                  f"{__import__('chroma.stylization._torch').stylization._torch.TORCH_THREADS}"]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    path.with_suffix(".json").write_text(json.dumps(
        {"rows": rows, "timing": timing_result}, indent=1), encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
