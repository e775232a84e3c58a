"""The rows of docs/stylize.md: the grid's projected start, the previous defaults, the defaults.

For each pair of ``docs/figures_stylize.py`` (bundled samples) prints the joint-Lab
sliced-Wasserstein distance to the style, the gradient artifacts and the color
blotches (:func:`chroma.stylization.color_blotches`) of ``chroma.stylize`` with
``iterations=0`` (IDT projected onto the grid, no optimizer step), with the
defaults before the blotch term and the color table (``blotch_weight=0``,
``color_nodes=0``, ``lab_weight=4``), and with the defaults; writes the three
side by side per pair to ``/tmp/stylize_projection_<content>.png`` (not committed).
Run from the repository root: ``python docs/stylize_projection.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "docs"))

import figures_stylize as fs  # noqa: E402

import chroma  # noqa: E402
from chroma.metrics import gradient_artifacts, sliced_wasserstein_lab  # noqa: E402
from chroma.stylization import color_blotches  # noqa: E402

SETTINGS = {
    "iterations=0": {"iterations": 0},
    "previous defaults": {"blotch_weight": 0.0, "color_nodes": 0, "lab_weight": 4.0},
    "defaults": {},
}


def main() -> int:
    for content_name, style_name in fs.PAIRS:
        image, style = fs.load(content_name), fs.load(style_name)
        tiles = []
        for name, options in SETTINGS.items():
            out = chroma.stylize(image, style, random_state=0, progress=False, **options)
            print(f"{content_name} <- {style_name} {name:>17}: SW "
                  f"{sliced_wasserstein_lab(out, style):.2f}  artifacts "
                  f"{gradient_artifacts(out, image):.3f}  blotches "
                  f"{color_blotches(out, image):.2f}", flush=True)
            tiles.append(out)
        path = f"/tmp/stylize_projection_{content_name}.png"
        Image.fromarray(np.concatenate(tiles, 1)).save(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
