"""Post-hoc trial: soften chroma.stylize's a*b* change (a Gaussian, a guided filter, regrain).

Not a package option (``change_blur`` is the Gaussian one, inside the kernel): this
fits the default grid once per pair, takes its 8-bit output, and softens the a*b*
change from the input to it in NumPy, then maps it into the gamut at the input's L*
again. ``gauss:S`` convolves the change with a Gaussian of S px (about what
``change_blur=S`` does); ``guided:R:EPS`` is a guided filter of the change (He, Sun
& Tang, ECCV 2010; box radius R, regularization EPS in (a*b* units)²) with the
input's a*b* as the guide: where the input's a*b* is flat the change is averaged
(as the Gaussian does), where the input has an a*b* edge the change may follow it.
Regrain (Pitié et al. 2007; issue 13, session 6): ``regrain[:S]`` runs
:func:`chroma.regrain` on the RGB output and keeps its a*b* at the input's L*;
``labgrain[:S[:TAU]]`` runs the regrain solver on Lab / 100 with the input's L* in
both images (a*b* alone moves), optionally only within a pixel of input L* edges
steeper than TAU per pixel (a hard switch); ``pkg:S[:TAU]`` is the package's option
(``Stylizer(regrain=S, regrain_edge=TAU)``, :func:`chroma.stylization._operators.regrain_chroma`:
labgrain with a feathered edge weight).

For each TRAIN pair (``stylize_tune.py``'s) it prints ``sw/gram/artifacts/blotches``
per setting, then the means and the SW and Gram wins against IDT; then the
gradient artifacts of the same settings on the bundled samples of
``docs/figures_stylize.py`` (where the input's a*b* is as sharp as its L*).

Run (about 3 minutes on 2 busy cores)::

    python benchmarks/stylize_soften_trial.py 12,15,18,78,40,80 gauss:1.5,guided:1:4,guided:2:25
    python benchmarks/stylize_soften_trial.py 12,15,18,78,40,80 \
        labgrain,labgrain:0.3,labgrain:1:2,labgrain:1:5,labgrain:0.3:5
    python benchmarks/stylize_soften_trial.py 12,15,18,78,40,80 \
        pkg:0.3,pkg:0.1,pkg:0.3:5,pkg:0.1:5,pkg:0.3:10

Needs /work/shared/photos/train (exits with a message if it is missing).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from scipy.ndimage import uniform_filter

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "docs"))

import figures_stylize as FIG  # noqa: E402
import stylize_eval as E  # noqa: E402

import chroma  # noqa: E402
from chroma.metrics import gradient_artifacts  # noqa: E402
from chroma.stylization._compat import _np_lab_srgb_keep_l, _np_rgb_lab  # noqa: E402
from chroma.stylization._operators import soften_change  # noqa: E402


def _box(x: np.ndarray, r: int) -> np.ndarray:
    return uniform_filter(x, size=2 * r + 1, mode="nearest")


def guided(d: np.ndarray, guide: np.ndarray, r: int, eps: float) -> np.ndarray:
    """Guided filter of the (h, w, 2) change ``d`` with the (h, w, 2) guide (a*b*)."""
    m = [_box(guide[..., k], r) for k in (0, 1)]
    s00 = _box(guide[..., 0] ** 2, r) - m[0] ** 2 + eps
    s01 = _box(guide[..., 0] * guide[..., 1], r) - m[0] * m[1]
    s11 = _box(guide[..., 1] ** 2, r) - m[1] ** 2 + eps
    det = s00 * s11 - s01**2
    out = np.empty_like(d)
    for c in (0, 1):
        md = _box(d[..., c], r)
        c0 = _box(d[..., c] * guide[..., 0], r) - md * m[0]
        c1 = _box(d[..., c] * guide[..., 1], r) - md * m[1]
        a0 = (c0 * s11 - c1 * s01) / det
        a1 = (c1 * s00 - c0 * s01) / det
        b = md - a0 * m[0] - a1 * m[1]
        out[..., c] = _box(a0, r) * guide[..., 0] + _box(a1, r) * guide[..., 1] + _box(b, r)
    return out


def soften(image: np.ndarray, out: np.ndarray, spec: str) -> np.ndarray:
    """``out`` with its a*b* change from ``image`` softened by ``spec`` (uint8 in, uint8 out)."""
    shape = image.shape
    li = _np_rgb_lab(image.reshape(-1, 3).astype(np.float64) / 255).reshape(shape)
    lo = _np_rgb_lab(out.reshape(-1, 3).astype(np.float64) / 255).reshape(shape)
    d = lo[..., 1:] - li[..., 1:]
    kind, *args = spec.split(":")
    if kind == "gauss":
        d = soften_change(d, float(args[0]))
    elif kind == "guided":
        d = guided(d, li[..., 1:], int(args[0]), float(args[1]))
    elif kind == "regrain":  # Pitie's regrain on the RGB output, then the input's L* again
        r = chroma.regrain(image, out, smoothness=float(args[0]) if args else 1.0)
        d = _np_rgb_lab(r.reshape(-1, 3).astype(np.float64) / 255).reshape(shape)[..., 1:] \
            - li[..., 1:]
    elif kind == "labgrain":  # regrain of a*b* alone: Lab / 100 as the "RGB" of the solver
        from chroma.transfers.regrain import _regrain_float

        lo2 = lo.copy()
        lo2[..., 0] = li[..., 0]
        r = _regrain_float((li / 100).astype(np.float32), (lo2 / 100).astype(np.float32),
                           smoothness=float(args[0]) if args else 1.0)
        d_rg = 100.0 * r[..., 1:].astype(np.float64) - li[..., 1:]
        if len(args) > 1:  # only next to the input's L* edges steeper than TAU per pixel
            gy, gx = np.gradient(li[..., 0])
            from scipy.ndimage import maximum_filter

            m = maximum_filter((np.hypot(gx, gy) > float(args[1])).astype(float), size=3)
            d = d + m[..., None] * (d_rg - d)
        else:
            d = d_rg
    elif kind == "pkg":  # the package's option: _operators.regrain_chroma(S, TAU)
        from chroma.stylization._operators import regrain_chroma

        r = regrain_chroma(image.astype(np.float32) / 255, out.astype(np.float32) / 255,
                           float(args[0]), float(args[1]) if len(args) > 1 else 0.0)
        return (np.clip(r, 0, 1) * 255).round().astype(np.uint8)
    else:
        raise SystemExit(f"{spec}: use pkg:S[:TAU], gauss:SIGMA, guided:R:EPS, regrain[:S] "
                         "or labgrain[:S[:TAU]]")
    new = li.copy()
    new[..., 1:] += d
    rgb = _np_lab_srgb_keep_l(new.reshape(-1, 3)).reshape(shape)
    return (np.clip(rgb, 0, 1) * 255).round().astype(np.uint8)


def main(argv: list[str]) -> int:
    idx = [int(i) for i in argv[0].split(",")]
    specs = argv[1].split(",") if len(argv) > 1 else ["gauss:1.5", "guided:1:4"]
    print(E.uptime(), flush=True)
    agg: dict = {}
    for i in idx:
        image, style, score = E.trial_pair(i)
        out = chroma.stylize(image, style, random_state=0, progress=False)
        res = {"idt": score(chroma.transfer(image, style, **E.CLASSICAL["idt"])),
               "sharp": score(out)}
        for spec in specs:
            res[spec] = score(soften(image, out, spec))
        E.print_pair(i, res, agg)
    E.print_mean(agg)
    for n in agg:
        if n != "idt":
            wins = [sum(a[j] < b[j] for a, b in zip(agg[n], agg["idt"])) for j in (0, 1)]
            print(n, "wins vs idt (sw, gram):", wins, "/", len(idx))
    for c, s in FIG.PAIRS:  # the bundled samples (sharp chroma): artifacts only
        image, style = FIG.load(c), FIG.load(s)
        out = chroma.stylize(image, style, random_state=0, progress=False)
        print(f"{c} <- {s} artifacts: sharp {gradient_artifacts(out, image):.3g} "
              + " ".join(f"{spec} {gradient_artifacts(soften(image, out, spec), image):.3g}"
                         for spec in specs), flush=True)
    print(E.uptime(), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
