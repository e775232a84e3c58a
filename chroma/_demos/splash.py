"""Demo section: masks, color splash, blend modes and a two-step recipe."""

from __future__ import annotations

import numpy as np

ORDER = 50
TITLE = "Masks, blending and color splash"


def _gray(mask):
    return np.rint(mask * 255).astype(np.uint8)


def run(ctx) -> None:
    from chroma import masks
    from chroma.compositing import blend, splash
    from chroma.spaces import convert

    astro = ctx.sample("astronaut")
    suit = masks.hue_range(astro, 35, 30, feather=1.5)
    gray = splash(astro, suit)
    sepia = splash(astro, suit, background="sepia")
    dl = np.abs(convert(gray, "rgb", "lab")[..., 0] - convert(astro, "rgb", "lab")[..., 0])
    ctx.text(
        "Color splash keeps the colors inside a mask and turns the rest gray at unchanged "
        f"lightness (largest L* change here: {dl.max():.2f}, the 8-bit rounding). The mask is "
        "a hue band in LCh (35 ± 15 degrees: the orange suit and the flag's red), feathered by "
        "1.5 px: `chroma splash astronaut.png -o out.png --hue 35:30 --feather 1.5`."
    )
    ctx.figure("astronaut: hue-band mask, gray and sepia backgrounds",
               [("original", astro), ("mask --hue 35:30", _gray(suit)),
                ("splash (gray)", gray), ("splash (sepia)", sepia)])

    coffee = ctx.sample("coffee")
    picked = masks.intersect(masks.pick(coffee, points=[(90, 250), (450, 300)], tolerance=6),
                             masks.chroma_threshold(coffee, 55, falloff=10))
    refined = masks.refine(picked, coffee, radius=4)
    ctx.figure("coffee: eyedropper on the saucer at (x, y) = (90, 250) and (450, 300), "
               "tolerance 6, intersected with chroma C* >= 55 (the wood is as red but duller), "
               "then edge refinement (guided filter, radius 4)",
               [("original", coffee), ("pick mask", _gray(picked)),
                ("refined mask", _gray(refined)), ("splash", splash(coffee, refined))])

    chelsea = ctx.sample("chelsea")
    h, w = chelsea.shape[:2]
    layer = np.ascontiguousarray(np.asarray(coffee)[:h, :w])
    hard = masks.rectangle(chelsea, (w // 2, 0, w, h))
    half = masks.feather(hard, 12)
    ctx.figure(
        "blend modes: chelsea with coffee on the right half",
        [("chroma, feather 12: coffee's colors in chelsea's light",
          blend(chelsea, layer, half, mode="chroma")),
         ("normal (linear light), hard mask", blend(chelsea, layer, hard, mode="normal")),
         ("normal, feather 12", blend(chelsea, layer, half, mode="normal")),
         ("pyramid, hard mask", blend(chelsea, layer, hard, mode="pyramid"))],
    )

    from chroma.pipeline import Pipeline, Step
    from chroma.transfers import ReinhardTransfer

    rocket = ctx.sample("rocket")
    sky = {"hue": [270, 70], "feather": 3}
    pipe = Pipeline([
        Step("sky", ReinhardTransfer(), reference=coffee, mask=sky, strength=0.8),
        Step("rest", ReinhardTransfer(), reference=chelsea, mask={**sky, "invert": True}),
    ])
    ctx.figure("a two-step pipeline: the sky from coffee, the rest from chelsea",
               [("rocket", rocket), ("sky mask", _gray(masks.from_spec(sky, rocket))),
                ("pipeline", pipe.fit().transform(rocket))])
