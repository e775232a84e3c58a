"""
Reference colorization (Welsh et al.)
=====================================

``method="welsh"`` copies colors from a reference photo: each gray pixel takes the
chroma of the reference pixel whose lightness and local texture match best (Welsh,
Ashikhmin & Mueller 2002). No model, no torch; ``random_state`` fixes the sample of
reference pixels, so a seed gives the same picture every run.
"""

import matplotlib.pyplot as plt

import chroma
from chroma.datasets import sample

photo = sample("astronaut")[::2, ::2]
gray = chroma.convert(photo, "rgb", "lab")[..., 0] / 100
reference = sample("coffee")[::2, ::2]

colored = chroma.colorize(gray, method="welsh", reference=reference, random_state=0)
same = chroma.colorize(gray, method="welsh", reference=reference, random_state=0)
print("same seed, same picture:", bool((colored == same).all()))

fig, axes = plt.subplots(1, 3, figsize=(11, 3.6))
for ax, (title, picture) in zip(axes, [("gray input", gray), ("reference", reference),
                                       ("welsh", colored)]):
    ax.imshow(picture, cmap="gray", vmin=0, vmax=1 if picture.ndim == 2 else None)
    ax.set_title(title)
    ax.axis("off")
fig.tight_layout()
plt.show()
