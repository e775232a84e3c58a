"""
Toning: sepia, duotone, gradient maps
=====================================

:func:`chroma.tone` maps each pixel's CIELAB lightness to a color ramp: ``"sepia"``
keeps L* and adds a warm tint, a duotone spreads two colors from dark to light, a
gradient map any number; ``strength`` mixes with the input and ``mask`` limits it.
"""

import matplotlib.pyplot as plt

import chroma
from chroma import masks
from chroma.datasets import sample

image = sample("astronaut")[::2, ::2]

panels = [
    ("image", image),
    ("sepia", chroma.tone(image, mode="sepia")),
    ("duotone", chroma.tone(image, mode="duotone", colors=["#1b2a6b", "#f6d28a"])),
    ("gradient map", chroma.tone(image, mode="gradient",
                                 colors=["#000000", "#7a1f5c", "#f08a24", "#fff3b0"])),
    ("sepia outside the suit", chroma.tone(
        image, mode="sepia",
        mask=masks.invert(masks.hue_range(image, center=35, width=30, feather=1.0)))),
]
fig, axes = plt.subplots(1, 5, figsize=(15, 3.2))
for ax, (title, picture) in zip(axes, panels):
    ax.imshow(picture)
    ax.set_title(title)
    ax.axis("off")
fig.tight_layout()
plt.show()
