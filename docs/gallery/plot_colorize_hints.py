"""
Hinted colorization: scribbles and the CNN prior
================================================

Point hints ``(x, y, color)`` say what color a spot should be. ``method="scribble"``
propagates them along the image's edges (Levin et al.'s optimization, no model);
the CNN prior takes the same hints as extra input and fills in everything else.
"""

import matplotlib.pyplot as plt

import chroma
from chroma.datasets import sample

photo = sample("coffee")[::2, ::2]
gray = chroma.convert(photo, "rgb", "lab")[..., 0] / 100

hints = [(150, 40, "#c03020"),   # the cup: red
         (60, 160, "#2a5fb0"),   # the saucer's side: blue
         (270, 30, "#8a5a30"),   # the table, top right: wood
         (20, 100, "#8a5a30")]   # the table, left: wood

scribbled = chroma.colorize(gray, method="scribble", hints=hints)
prior = chroma.colorize(gray, hints=hints)

fig, axes = plt.subplots(1, 3, figsize=(11, 2.8))
for ax, (title, picture) in zip(axes, [("gray + hints", gray), ("scribble", scribbled),
                                       ("CNN prior + hints", prior)]):
    ax.imshow(picture, cmap="gray", vmin=0, vmax=1 if picture.ndim == 2 else None)
    ax.set_title(title)
    ax.axis("off")
for x, y, color in hints:
    axes[0].scatter([x], [y], c=[color], s=60, edgecolors="white")
fig.tight_layout()
plt.show()
