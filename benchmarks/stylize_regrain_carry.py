"""How close the carried regrain is to the full-size one (TRAIN pairs, 512 px).

``Stylizer(regrain=S, regrain_size=N)`` regrains an image larger than N px on the long
side on an area-averaged copy of N px and carries the correction to full size in the
apply kernel (a guided filter of the input's Lab, ``_operators.regrain_coefficients``).
A 12 MP image with ``regrain_size=512`` is reduced about 8x. This script measures the
same reductions at 512 px, where the full-size regrain can be run beside it: for each
train pair (``stylize_tune.py``'s) it fits the grid once (``gamut_blur`` and the regrain
as given) and prints ``gradient_artifacts`` of the output without the regrain, with the
full-size regrain, and carried from 256, 128 and 64 px (2x, 4x, 8x), plus the mean
|Δa*b*| of each carried output from the full-size one (ΔE units) and SW to the style.

Run (about 3 minutes on 2 busy cores)::

    python benchmarks/stylize_regrain_carry.py 12,15,18,78,40,80 \
        '{"gamut_blur": 2.0, "regrain": 0.05, "regrain_edge": 5.0}'

Needs /work/shared/photos/train (exits with a message if it is missing).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import stylize_eval as E  # noqa: E402

import chroma  # noqa: E402
from chroma.metrics import gradient_artifacts, sliced_wasserstein_lab  # noqa: E402
from chroma.stylization import Stylizer  # noqa: E402

SIDES = (256, 128, 64)


def main(argv: list[str]) -> int:
    idx = [int(i) for i in argv[0].split(",")]
    options = json.loads(argv[1]) if len(argv) > 1 else {"regrain": 0.05,
                                                           "regrain_edge": 5.0}
    print(E.uptime(), options, flush=True)
    rows = []
    for i in idx:
        content, style_path = E.train_pair(i)
        image, style = E.load(content, 512), E.load(style_path, 512)
        st = Stylizer(random_state=0, progress=False, **options).fit(style).fit_operator(image)
        regrain = st.regrain
        st.set_params(regrain=0.0)
        outs = {"none": st.apply(image)}
        st.set_params(regrain=regrain, regrain_size=0)
        outs["full"] = st.apply(image)
        for side in SIDES:
            st.set_params(regrain_size=side)
            outs[side] = st.apply(image)
        lab = {k: chroma.convert(v, "rgb", "lab").astype(np.float64) for k, v in outs.items()}
        row = {"pair": i}
        for k, v in outs.items():
            row[f"art_{k}"] = gradient_artifacts(v, image)
            row[f"sw_{k}"] = sliced_wasserstein_lab(v, style, random_state=0)
            row[f"dab_{k}"] = float(np.abs(lab[k][..., 1:] - lab["full"][..., 1:]).mean())
        rows.append(row)
        print(json.dumps({k: round(v, 4) for k, v in row.items()}), flush=True)
    keys = ["none", "full", *SIDES]
    print("| | " + " | ".join(f"{k}" for k in keys) + " |")
    print("|---|" + "---:|" * len(keys))
    for m in ("art", "sw", "dab"):
        print(f"| mean {m} | " + " | ".join(f"{np.mean([r[f'{m}_{k}'] for r in rows]):.3f}"
                                         for k in keys) + " |")
    print(E.uptime(), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
