"""Demo section: palettes (extraction, quantization, recoloring, toning)."""

from __future__ import annotations

import numpy as np

ORDER = 40
TITLE = "Palettes: extract, quantize, recolor, tone"


def _ellipse(shape, center, radii, feather=0.06) -> np.ndarray:
    """A soft elliptical mask (1 inside, fading to 0 over `feather` of the radius)."""
    yy, xx = np.mgrid[: shape[0], : shape[1]]
    r = np.hypot((xx - center[0]) / radii[0], (yy - center[1]) / radii[1])
    return np.clip((1.0 + feather / 2 - r) / feather, 0.0, 1.0).astype(np.float32)


def run(ctx) -> None:
    from chroma.palettes import (
        Palette,
        PaletteTransfer,
        extract_palette,
        quantize,
        replace_color,
    )
    from chroma.toning import tone

    names = ("coffee", "astronaut", "chelsea", "rocket")
    palettes = {n: extract_palette(ctx.sample(n), 6, random_state=0) for n in names}
    ctx.text(
        "Six colors per sample by k-means in CIELAB over every pixel; each swatch is as "
        "wide as the color's share of the image. coffee: "
        + " ".join(palettes["coffee"].to_hex()) + "."
    )
    panels = []
    for n in names:
        img = ctx.sample(n)
        panels.append((n, img))
        panels.append((f"{n} palette", palettes[n].swatch(width=img.shape[1], height=60)))
    ctx.figure("The bundled samples and their 6-color palettes (swatches sized by share)", panels)

    coffee = ctx.sample("coffee")
    small = extract_palette(coffee, 6, random_state=0)
    ctx.figure(
        "coffee quantized to its 6-color palette: nearest color in Lab, and with "
        "Floyd–Steinberg dithering",
        [("original", coffee), ("6 colors", quantize(coffee, small)),
         ("6 colors, dithered", quantize(coffee, small, dither=True))],
    )

    rocket_t = PaletteTransfer(5, random_state=0).fit(ctx.sample("rocket"))
    src, tgt = rocket_t.pairs(coffee)
    mask = _ellipse(coffee.shape, (278, 222), (205, 168))
    ctx.figure(
        "Recoloring: coffee with the rocket's palette (palettes paired by optimal "
        "assignment in Lab, Chang et al.-style recoloring), and one color replaced inside "
        "a soft ellipse: the red cup made blue",
        [("original", coffee), ("rocket's palette", rocket_t.transform(coffee)),
         ("coffee palette", Palette(src.colors).swatch(300, 40)),
         ("paired rocket colors", Palette(tgt.colors).swatch(300, 40)),
         ("red → blue", replace_color(coffee, "#a82e10", "#1a4fc0", tolerance=14, mask=mask))],
    )
    ctx.figure(
        "Toning by lightness: sepia (keeps L*), a navy–gold duotone, and a four-color "
        "gradient map; lightness order is kept in all three",
        [("sepia", tone(coffee, mode="sepia")),
         ("duotone", tone(coffee, mode="duotone", colors=["#1b2a6b", "#f6d28a"])),
         ("gradient map", tone(coffee, mode="gradient",
                               colors=["#000000", "#7a1f5c", "#f08a24", "#fff3b0"]))],
    )
