"""
IDT, regrain and sliced optimal transport
=========================================

Iterative distribution transfer (IDT) matches the full 3-D color distribution by
matching 1-D projections along random rotations; it can stretch smooth areas into
grain, which Pitié's regrain removes (it keeps the image's gradients).
Sliced OT averages many projections per step. Both take ``random_state``.
"""

import matplotlib.pyplot as plt

import chroma
from chroma.datasets import sample

image = sample("rocket")[::2, ::2]
reference = sample("coffee")[::2, ::2]

idt = chroma.transfer(image, reference, method="idt", random_state=0)
regrained = chroma.regrain(image, idt)
sot = chroma.transfer(image, reference, method="sot", random_state=0)

fig, axes = plt.subplots(1, 5, figsize=(15, 2.6))
panels = [("image", image), ("reference", reference), ("IDT", idt),
          ("IDT + regrain", regrained), ("sliced OT", sot)]
for ax, (title, picture) in zip(axes, panels):
    ax.imshow(picture)
    ax.set_title(title)
    ax.axis("off")
fig.tight_layout()
plt.show()
