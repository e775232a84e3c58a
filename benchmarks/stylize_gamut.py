"""How much of stylize's gradient artifacts the keep-L* gamut map makes (TRAIN pairs).

For each train pair (content ``files[i]``, style ``files[i + half]``, as in
``stylize_tune.py``; 512 px on the long side) it fits the default grid and prints:
``gradient_artifacts`` of the output; the same measure on the operator's colors
before the gamut map (float Lab, no 8-bit rounding); the fraction of pixels whose
chroma the map lowers, and the share of the artifacts within one pixel of them.

Run::

    python benchmarks/stylize_gamut.py 12,15,18
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
from chroma.metrics import gradient_artifacts  # noqa: E402
from chroma.metrics.quality import _gradient_magnitude  # noqa: E402
from chroma.spaces.gamut import _np_keep_l  # noqa: E402
from chroma.stylization import Stylizer  # noqa: E402
from chroma.stylization import _operators as ops  # noqa: E402
from chroma.stylization._compat import _np_rgb_lab  # noqa: E402


def main(argv: list[str]) -> int:
    from scipy.ndimage import binary_dilation

    for i in (int(k) for k in argv[0].split(",")):
        content, style_path = E.train_pair(i)
        image, style = E.load(content, 512), E.load(style_path, 512)
        st = Stylizer(random_state=0, progress=False).fit(style).fit_operator(image)
        h, w = image.shape[:2]
        flat = image.reshape(-1, 3) / 255.0
        lab = _np_rgb_lab(flat)
        start = ops.np_trilinear(st.operator_.start, *flat.T)
        raw = lab.copy()
        raw[:, 1:] = start + ops.offsets_numpy(st.operator_, lab, start, (h, w))
        t, _ = _np_keep_l(raw)
        clipped = (t < 0.999).reshape(h, w)
        g_in = _gradient_magnitude(lab.reshape(h, w, 3))
        before = np.maximum(_gradient_magnitude(raw.reshape(h, w, 3)) - g_in, 0) ** 2
        out = st.apply(image)
        after = np.maximum(_gradient_magnitude(chroma.convert(out, "rgb", "lab").astype(
            np.float64)) - _gradient_magnitude(chroma.convert(image, "rgb", "lab").astype(
                np.float64)), 0) ** 2
        near = binary_dilation(clipped, iterations=1)
        share = after[near].sum() / max(after.sum(), 1e-12)
        print(f"train pair {i}: artifacts {gradient_artifacts(out, image):.3f}, before the "
              f"gamut map {before.mean():.3f}; chroma lowered on {clipped.mean():.0%} of the "
              f"pixels, {share:.0%} of the artifacts within 1 px of them", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
