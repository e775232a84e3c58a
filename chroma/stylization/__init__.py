"""Color-only style transfer: the colors of a painting or photo, every silhouette kept.

``chroma.stylize(image, style)`` moves the a*b* of `image` toward the color
statistics of `style` and never touches its CIELAB lightness L*: edges,
shading and silhouettes are exact by construction. What is optimized is a
small **color operator**, fitted at a proxy size and applied at full
resolution in one Numba pass:

=========  ==============================================================
operator   what it is
=========  ==============================================================
"grid"     bilateral grid over (x, y, L*) of a*b* offsets: colors can
           depend on where a pixel is (blue sky, ochre walls) but stay
           smooth in space and sharp across lightness edges
"lut"      global L*-conditioned 3-D LUT: a pure color grade, exports as a
           ``.cube`` file (:meth:`Stylizer.to_lut`, :func:`chroma.write_cube`)
"free"     one a*b* offset per proxy pixel (for comparison)
=========  ==============================================================

The style loss compares Gram matrices and sliced-Wasserstein distances of
multi-scale features of the output and of the style (random filters on Lab,
or the encoder of chroma's colorization network); a content term anchors to
a classical start (Reinhard or IDT in Lab, lightness kept) and an edge-aware
term keeps the offsets smooth. :func:`color_blotches` measures soft color
patches (one input color tinted differently in different flat places); its
square is a loss term too, and the grid carries a global color table so that
colors can move without them. Torch is imported on first use only.

Examples
--------
>>> import chroma
>>> rng = np.random.default_rng(0)
>>> img = rng.random((24, 32, 3)).astype(np.float32)
>>> style = rng.random((20, 20, 3)).astype(np.float32)
>>> out = chroma.stylize(img, style, size=32, iterations=2, random_state=0, progress=False)
>>> out.shape
(24, 32, 3)
"""

from __future__ import annotations

import numpy as np  # noqa: F401  (doctest namespace)

from chroma.stylization._blotch import color_blotches
from chroma.stylization._operators import OPERATORS
from chroma.stylization._stylizer import INITS, Stylizer, stylize

__all__ = ["INITS", "OPERATORS", "Stylizer", "color_blotches", "stylize"]

