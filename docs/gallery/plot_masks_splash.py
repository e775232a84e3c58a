"""
Masks and color splash
======================

A mask selects by hue (an LCh band), by lightness, by picked colors or by shape, and
masks combine (intersect, union, subtract, invert). :func:`chroma.splash` keeps the
color inside the mask and turns the rest gray, with CIELAB lightness untouched.
"""

import matplotlib.pyplot as plt

import chroma
from chroma import masks
from chroma.datasets import sample

image = sample("astronaut")[::2, ::2]

warm = masks.hue_range(image, center=35, width=30, feather=1.0)      # the orange suit, the flag
upper = masks.rectangle(image.shape[:2], (0, 0, image.shape[1], image.shape[0] // 2),
                        feather=4)
warm_top = masks.intersect(warm, upper)
print(f"selected: {warm.mean():.1%} of the image, {warm_top.mean():.1%} in the top half")

fig, axes = plt.subplots(1, 4, figsize=(13, 3.7))
panels = [("image", image, None), ("hue mask 35° ± 15°", warm, "gray"),
          ("splash", chroma.splash(image, warm), None),
          ("splash, top half, sepia", chroma.splash(image, warm_top, background="sepia"), None)]
for ax, (title, picture, cmap) in zip(axes, panels):
    ax.imshow(picture, cmap=cmap, vmin=0, vmax=1 if cmap else None)
    ax.set_title(title)
    ax.axis("off")
fig.tight_layout()
plt.show()
