"""Demo section: color spaces (the foundation)."""

from __future__ import annotations

import numpy as np

ORDER = 10
TITLE = "Color spaces"


def run(ctx) -> None:
    from chroma import spaces

    img = ctx.sample("coffee")
    lab = spaces.convert(img, "rgb", "lab")
    lightness = np.clip(lab[..., 0] / 100.0, 0, 1)
    # a*b* alone, at a fixed lightness: where the color is
    flat = lab.copy()
    flat[..., 0] = 65.0
    chroma_only = spaces.convert(flat, "lab", "rgb")
    lch = spaces.convert(img, "rgb", "lch")
    c = np.clip(lch[..., 1] / 80.0, 0, 1)
    back = spaces.convert(lab, "lab", "rgb")
    err = np.abs(np.rint(back * 255) - img).max()
    ctx.text(
        "CIELAB splits lightness from color. The round trip sRGB → Lab → sRGB "
        f"reproduces this uint8 image with a max error of {err:.0f} levels."
    )
    ctx.figure(
        "coffee: the photo, its L* channel, its a*b* at constant lightness, and chroma C*",
        [("original", img), ("L* (lightness)", lightness),
         ("a*b* at L* = 65", chroma_only), ("C* (chroma)", c)],
    )
