"""Where chroma.stylize's gradient artifacts sit, with and without ``change_blur`` (TRAIN pairs).

For each train pair (as ``stylize_tune.py`` builds them, 512 px) and each setting,
prints ``gradient_artifacts(output, image)``, the share of the artifact energy by
the input's L* gradient magnitude (``|grad L*|`` bins ``[0, 1)``, ``[1, 3)``,
``[3, 10)``, ``[10, 30)``, ``>= 30``; L* units per pixel) and the fraction of the
pixels that hold half of it. The artifacts of the default grid sit on L* edges
(a few per cent of the pixels): its a*b* change follows L*, which is one pixel
sharp, while the input's a*b* edges are softer.

Run (about 2 minutes on 2 busy cores)::

    python benchmarks/stylize_edges.py 12,15,18,78,40,80 '[{}, {"change_blur": 1.0}]'

Needs /work/shared/photos/train (exits with a message if it is missing).
"""

from __future__ import annotations

import itertools
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import stylize_eval as E  # noqa: E402

import chroma  # noqa: E402
from chroma.metrics.quality import _gradient_magnitude  # noqa: E402

BINS = (0.0, 1.0, 3.0, 10.0, 30.0, np.inf)


def where(out: np.ndarray, image: np.ndarray) -> tuple[float, list[float], float]:
    """(artifacts, energy share per |grad L*| bin, fraction of pixels holding half of it)."""
    lab_o = chroma.convert(out, "rgb", "lab").astype(np.float64)
    lab_i = chroma.convert(image, "rgb", "lab").astype(np.float64)
    e2 = np.maximum(_gradient_magnitude(lab_o) - _gradient_magnitude(lab_i), 0.0) ** 2
    only_l = lab_i.copy()
    only_l[..., 1:] = 0.0
    g_l = _gradient_magnitude(only_l)
    total = max(float(e2.sum()), 1e-12)
    shares = [float(e2[(g_l >= a) & (g_l < b)].sum()) / total
              for a, b in itertools.pairwise(BINS)]
    top = np.cumsum(np.sort(e2.ravel())[::-1]) / total
    return float(e2.mean()), shares, float(np.searchsorted(top, 0.5) + 1) / e2.size


def main(argv: list[str]) -> int:
    idx = [int(i) for i in argv[0].split(",")]
    variants = json.loads(argv[1]) if len(argv) > 1 else [{}, {"change_blur": 1.0}]
    print(E.uptime(), flush=True)
    for i in idx:
        content, style_path = E.train_pair(i)
        image, style = E.load(content, 512), E.load(style_path, 512)
        for v in variants:
            out = chroma.stylize(image, style, random_state=0, progress=False, **v)
            art, shares, half = where(out, image)
            print(f"pair {i} {json.dumps(v)}: artifacts {art:.3g}; share by |grad L*| "
                  f"{[round(s, 3) for s in shares]}; half of it on {100 * half:.1f} % of the "
                  "pixels", flush=True)
    print(E.uptime(), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
