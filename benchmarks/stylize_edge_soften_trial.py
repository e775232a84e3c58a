"""Post-hoc trial: the change softened only at steep L* edges, beside ``gamut_blur=2``.

A candidate for a regrain that runs inside the apply kernel's second pass (not a package
option): for each TRAIN pair (``stylize_tune.py``'s; 512 px) the default grid is fitted
once; ``g2`` is its output with ``gamut_blur=2`` (NumPy twin), ``g2rg`` the package's
``gamut_blur=2, regrain=0.05, regrain_edge=5``, and ``eTAUsSIG`` blends, per pixel, the
``g2`` colors with the input's a*b* plus the a*b* change (to the gamut-mapped color)
convolved with a Gaussian of SIG px, by ``w = clip(|grad L*| / TAU - 1, 0, 1)`` (central
differences of the input's L*, edges repeated): the softened change only where the grid's
step along an L* edge is (what the edge regrain fixes), nothing to solve. Prints
``sw/gram/artifacts/blotches`` per setting, the means and the SW wins over IDT.

Run (about 2 minutes on 2 busy cores)::

    python benchmarks/stylize_edge_soften_trial.py 12,15,18,78,40,80

Needs /work/shared/photos/train (exits with a message if it is missing).
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import stylize_eval as E  # noqa: E402

import chroma  # noqa: E402
from chroma.spaces.gamut import _np_keep_l  # noqa: E402
from chroma.stylization import Stylizer  # noqa: E402
from chroma.stylization import _operators as ops  # noqa: E402
from chroma.stylization._compat import _np_lab_srgb_keep_l, _np_rgb_lab  # noqa: E402

V = [(5, 1.0), (5, 2.0), (10, 2.0), (3, 1.5)]


def main(argv: list[str]) -> int:
    print(E.uptime(), flush=True)
    agg: dict = {}
    for i in [int(k) for k in argv[0].split(",")]:
        image, style, sc = E.trial_pair(i)
        st = Stylizer(random_state=0, progress=False).fit(style).fit_operator(image)
        op = st.operator_
        h, w = image.shape[:2]
        flat = image.reshape(-1, 3) / 255.0
        lab = _np_rgb_lab(flat)
        sab = ops.np_trilinear(op.start, *flat.T)
        pre = lab.copy()
        pre[:, 1:] = sab + ops.offsets_numpy(op, lab, sab, (h, w))
        t = _np_keep_l(pre)[0]
        gsoft = pre[:, 1:] + ops.soften_gamut(pre[:, :1], pre[:, 1:], (h, w), 2.0)
        change = t[:, None] * pre[:, 1:] - lab[:, 1:]
        L = lab[:, 0].reshape(h, w)
        xs, ys = np.arange(w), np.arange(h)
        gx = (np.take(L, np.minimum(xs + 1, w - 1), 1) - np.take(L, np.maximum(xs - 1, 0), 1)) / 2
        gy = (np.take(L, np.minimum(ys + 1, h - 1), 0) - np.take(L, np.maximum(ys - 1, 0), 0)) / 2
        g = np.hypot(gx, gy).reshape(-1)

        def out(ab, lab=lab, h=h, w=w):
            new = lab.copy()
            new[:, 1:] = ab
            o = _np_lab_srgb_keep_l(new).reshape(h, w, 3)
            return (np.clip(o, 0, 1) * 255).round().astype(np.uint8)

        res = {"idt": sc(chroma.transfer(image, style, **E.CLASSICAL["idt"])),
               "g2": sc(out(gsoft))}
        st.operator_.gamut_blur = 2.0
        st.set_params(gamut_blur=2.0, regrain=0.05, regrain_edge=5.0)
        res["g2rg"] = sc(st.apply(image))
        for tau, sig in V:
            csoft = lab[:, 1:] + ops.soften_change(change.reshape(h, w, 2), sig).reshape(-1, 2)
            wgt = np.clip(g / tau - 1.0, 0, 1)[:, None]
            res[f"e{tau}s{sig}"] = sc(out((1 - wgt) * gsoft + wgt * csoft))
        E.print_pair(i, res, agg)
    E.print_mean(agg)
    for n in agg:
        if n != "idt":
            print(n, "sw wins vs idt", sum(a[0] < b[0] for a, b in zip(agg[n], agg["idt"])))
    print(E.uptime())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
