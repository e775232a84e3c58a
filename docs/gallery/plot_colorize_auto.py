"""
Automatic colorization
======================

:func:`chroma.colorize` with its default method runs the small CNN shipped inside
the package (no download; needs PyTorch, ``chroma-image[neural]``) on a gray photo.
The output keeps the input's lightness exactly: only a* and b* are predicted.
``vibrancy`` moves from the mean color of the predicted distribution (0, calm) toward
its most likely color (vivid, patchier).
"""

import matplotlib.pyplot as plt

import chroma
from chroma.datasets import sample

photo = sample("chelsea")[::2, ::2]
gray = chroma.convert(photo, "rgb", "lab")[..., 0] / 100      # L* in [0, 1]: a gray photo

calm = chroma.colorize(gray)
vivid = chroma.colorize(gray, vibrancy=0.6)

fig, axes = plt.subplots(1, 4, figsize=(13, 2.9))
panels = [("gray input", gray), ("colorized", calm), ("vibrancy=0.6", vivid),
          ("the original colors", photo)]
for ax, (title, picture) in zip(axes, panels):
    ax.imshow(picture, cmap="gray", vmin=0, vmax=1 if picture.ndim == 2 else None)
    ax.set_title(title)
    ax.axis("off")
fig.tight_layout()
plt.show()
