"""
Palettes: extract, quantize, recolor
====================================

:func:`chroma.extract_palette` finds the dominant colors (k-means in CIELAB over all
pixels, deterministic for a seed) with each color's share of the image;
:func:`chroma.quantize` reduces the image to them and :func:`chroma.recolor` maps
them to the palette of another photo.
"""

import matplotlib.pyplot as plt

import chroma
from chroma.datasets import sample

image = sample("coffee")[::2, ::2]
palette = chroma.extract_palette(image, n_colors=6, random_state=0)
print(palette.to_hex())
print(palette.weights.round(3))

quantized = chroma.quantize(image, palette)
target = chroma.extract_palette(sample("rocket")[::2, ::2], n_colors=6, random_state=0)
recolored = chroma.recolor(image, palette, target)

fig, axes = plt.subplots(2, 3, figsize=(11, 5), height_ratios=[4, 1])
for ax, (title, picture) in zip(axes[0], [("image", image), ("quantized to 6", quantized),
                                          ("recolored to the rocket's", recolored)]):
    ax.imshow(picture)
    ax.set_title(title)
axes[1, 0].imshow(palette.swatch(width=300, height=40))
axes[1, 1].imshow(palette.swatch(width=300, height=40))
axes[1, 2].imshow(target.swatch(width=300, height=40))
for ax in axes.flat:
    ax.axis("off")
fig.tight_layout()
plt.show()
