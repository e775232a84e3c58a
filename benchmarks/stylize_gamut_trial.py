"""Apply-time settings of one fitted grid: ``gamut_blur`` and the regrain (TRAIN pairs).

The fit does not see ``gamut_blur``, ``regrain`` or ``regrain_edge`` (they act when the
operator is applied), so each train pair (``stylize_tune.py``'s; 512 px) is fitted once
with the defaults and its operator applied with every setting ``GB:RG:TAU`` given
(``gamut_blur=GB``, ``regrain=RG``, ``regrain_edge=TAU``; RG = 0 is no regrain). Prints
``sw/gram/artifacts/blotches`` per setting (IDT and IDT + regrain beside them), then the
means, the SW and Gram wins over IDT, and the pairs whose artifacts are no worse than
IDT + regrain's. ``samples`` instead of the pair list: the bundled pairs of
``docs/figures_stylize.py`` (redistributable; their a*b* is as sharp as their L*, where
``change_blur`` added fringes), ``gradient_artifacts`` per setting, and with ``--figure
PATH`` their outputs side by side, one row per pair (input, then each setting).

Run (about 4 minutes on 2 busy cores; the settings of issue 13, round 3)::

    python benchmarks/stylize_gamut_trial.py 12,15,18,78,40,80 \\
        0:0:0,1:0:0,2:0:0,4:0:0,2:0.1:5,2:0.1:10,2:0.05:5,3:0.1:10,1.5:0.1:8,0:0.1:5

    python benchmarks/stylize_gamut_trial.py samples 0:0:0,2:0:0,2:0.05:5 \
        --figure /tmp/gamut_samples.png

Needs /work/shared/photos/train for the train pairs (exits with a message if it is missing).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "docs"))

import stylize_eval as E  # noqa: E402

import chroma  # noqa: E402
from chroma.stylization import Stylizer  # noqa: E402


def samples(specs, figure: str | None) -> int:
    """The bundled pairs: artifacts per setting (and a figure of the outputs)."""
    import figures_stylize as FIG

    from chroma.metrics import gradient_artifacts

    rows = []
    for c, sname in FIG.PAIRS:
        image, style = FIG.load(c), FIG.load(sname)
        st = Stylizer(random_state=0, progress=False).fit(style).fit_operator(image)
        outs = [image]
        for gb, rg, tau in specs:
            st.operator_.gamut_blur = gb
            st.set_params(gamut_blur=gb, regrain=rg, regrain_edge=tau)
            outs.append(st.apply(image))
        print(f"{c} <- {sname} artifacts: " + " ".join(
            f"{gb:g}:{rg:g}:{tau:g}={gradient_artifacts(o, image):.3g}"
            for (gb, rg, tau), o in zip(specs, outs[1:])), flush=True)
        rows.append(np.concatenate(outs, 1))
    if figure:
        width = max(r.shape[1] for r in rows)
        rows = [np.pad(r, ((0, 4), (0, width - r.shape[1]), (0, 0)), constant_values=255)
                for r in rows]
        chroma.write_image(figure, np.concatenate(rows, 0), overwrite=True)
    print(E.uptime(), flush=True)
    return 0


def main(argv: list[str]) -> int:
    figure = None
    if "--figure" in argv:
        k = argv.index("--figure")
        figure = argv[k + 1]
        argv = argv[:k] + argv[k + 2:]
    specs = [tuple(float(v) for v in s.split(":")) for s in
             (argv[1] if len(argv) > 1 else "0:0:0,2:0:0,2:0.05:5").split(",")]
    print(E.uptime(), flush=True)
    if argv[0] == "samples":
        return samples(specs, figure)
    idx = [int(i) for i in argv[0].split(",")]
    agg: dict = {}
    for i in idx:
        image, style, score = E.trial_pair(i)
        st = Stylizer(random_state=0, progress=False).fit(style).fit_operator(image)
        res = {name: score(chroma.transfer(image, style, **E.CLASSICAL[name]))
               for name in ("idt", "idt+regrain")}
        for gb, rg, tau in specs:
            st.operator_.gamut_blur = gb
            st.set_params(gamut_blur=gb, regrain=rg, regrain_edge=tau)
            res[f"{gb:g}:{rg:g}:{tau:g}"] = score(st.apply(image))
        for n, r in res.items():
            agg.setdefault(n, []).append(r)
        print(f"pair {i}", " ".join(f"{n}=" + "/".join(f"{x:.3g}" for x in r)
                                    for n, r in res.items()), flush=True)
    print("MEAN", " ".join(f"{n}=" + "/".join(f"{x:.3g}" for x in np.mean(r, 0))
                           for n, r in agg.items()))
    for n, r in agg.items():
        if n in ("idt", "idt+regrain"):
            continue
        sw = sum(a[0] < b[0] for a, b in zip(r, agg["idt"]))
        gram = sum(a[1] < b[1] for a, b in zip(r, agg["idt"]))
        art = sum(a[2] <= b[2] for a, b in zip(r, agg["idt+regrain"]))
        print(f"{n}: SW wins vs IDT {sw}, Gram wins {gram}, artifacts <= IDT+regrain {art}"
              f" / {len(idx)}")
    print(E.uptime(), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
