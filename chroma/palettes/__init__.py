"""Palettes: extract, store, quantize to and recolor with colors.

* :func:`extract_palette` / :class:`KMeansPalette` (:mod:`.extract`): k-means
  in CIELAB over every pixel of the image (summarized exactly by a 32³ color
  histogram with per-bin mean colors), deterministic for a seed; weights are
  pixel shares.
* :class:`Palette` (:mod:`.palette`): colors in sRGB and Lab with weights; hex
  codes, a swatch image, and files (:mod:`.formats`: JSON, GIMP ``.gpl``, CSS
  custom properties, ``.hex``; :func:`to_format` / :func:`from_format`).
* :func:`quantize` (:mod:`.quantization`): every pixel to its nearest palette
  color in Lab, with optional Floyd–Steinberg dithering.
* :func:`recolor` / :class:`PaletteTransfer` / :func:`replace_color`
  (:mod:`.recoloring`): palette-based recoloring after Chang et al.

Colors, wherever a function takes them, are what
:func:`chroma.colors.parse_colors` reads (hex strings ``"#ff8800"``, ``"f80"``,
names, float RGB triplets in [0, 1], integer RGB triplets in [0, 255], a
``(K, 3)`` array) or a :class:`Palette`.

The submodules load on first use of a name (scikit-learn only when k-means runs).

Examples
--------
>>> from chroma.palettes import extract_palette
>>> img = np.zeros((4, 6, 3), dtype=np.uint8)
>>> img[:, :2] = (255, 0, 0)
>>> pal = extract_palette(img, n_colors=2, random_state=0)
>>> pal.to_hex(), pal.weights.round(3).tolist()
(['#000000', '#ff0000'], [0.667, 0.333])
"""

from __future__ import annotations

import numpy as np  # noqa: F401  (doctest namespace)

from chroma._core.lazy import lazy_attributes

# public name -> submodule that defines it
_LAZY = {
    name: f"chroma.palettes.{module}"
    for module, names in {
        "palette": ("ORDERS", "Palette"),
        "formats": ("FORMATS", "from_format", "to_css", "to_format", "to_gpl", "to_hex_file",
                    "to_json"),
        "extract": ("KMeansPalette", "extract_palette"),
        "quantization": ("quantize",),
        "recoloring": ("PaletteTransfer", "recolor", "replace_color"),
    }.items()
    for name in names
}

__all__ = sorted(_LAZY)
__getattr__, __dir__ = lazy_attributes(__name__, _LAZY, globals())
