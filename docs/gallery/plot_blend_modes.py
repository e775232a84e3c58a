"""
Blend modes
===========

:func:`chroma.blend` is the one function that applies a mask in chroma. ``"normal"``
(the default) mixes in linear light; ``"chroma"`` keeps the base's CIELAB lightness
and takes the layer's color; ``"pyramid"`` blends each band of a Laplacian pyramid
with a mask blurred to that band's scale, so seams disappear.
"""

import matplotlib.pyplot as plt

import chroma
from chroma import masks
from chroma.datasets import sample

base = sample("coffee")[::2, ::2]
layer = chroma.tone(base, mode="duotone", colors=["#1b2a49", "#f2d7a0"])
mask = masks.ellipse(base.shape[:2], center=(150, 100), radii=(110, 80), feather=6)

fig, axes = plt.subplots(1, 5, figsize=(15, 2.6))
panels = [("base", base, None), ("mask", mask, "gray")]
panels += [(mode, chroma.blend(base, layer, mask, mode=mode), None)
           for mode in chroma.compositing.MODES]
for ax, (title, picture, cmap) in zip(axes, panels):
    ax.imshow(picture, cmap=cmap)
    ax.set_title(title)
    ax.axis("off")
fig.tight_layout()
plt.show()
