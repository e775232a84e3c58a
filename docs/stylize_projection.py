"""The cat of docs/stylize.md: the grid's projected start alone against the fitted grid.

Prints the joint-Lab sliced-Wasserstein distance to the style and the gradient
artifacts of ``chroma.stylize(chelsea, coffee)`` with ``iterations=0`` (IDT
projected onto the grid, no optimizer step) and with the default number of steps, and
writes both side by side to ``/tmp/stylize_projection.png`` (not committed).
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


def main() -> int:
    image, style = fs.load("chelsea"), fs.load("coffee")
    tiles = []
    for iterations in (0, chroma.Stylizer().iterations):
        out = chroma.stylize(image, style, iterations=iterations, random_state=0,
                             progress=False)
        print(f"iterations={iterations}: SW {sliced_wasserstein_lab(out, style):.2f}  "
              f"artifacts {gradient_artifacts(out, image):.2f}", flush=True)
        tiles.append(out)
    Image.fromarray(np.concatenate(tiles, 1)).save("/tmp/stylize_projection.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
