"""
Color transfer methods side by side
===================================

The same image (coffee) given the colors of the same reference (chelsea) by each
method of :func:`chroma.transfer`: per-channel histogram matching, Reinhard's mean
and spread in CIELAB and in the paper's lαβ, MKL's affine map (the full covariance),
and the two distribution-level methods, IDT and sliced optimal transport.
"""

import matplotlib.pyplot as plt

import chroma
from chroma.datasets import sample

image = sample("coffee")[::2, ::2]
reference = sample("chelsea")[::2, ::2]

results = {
    "histogram": chroma.transfer(image, reference, method="histogram"),
    "Reinhard (CIELAB)": chroma.transfer(image, reference, method="reinhard"),
    "Reinhard (lαβ)": chroma.transfer(image, reference, method="reinhard", space="lalphabeta"),
    "MKL": chroma.transfer(image, reference, method="mkl"),
    "IDT": chroma.transfer(image, reference, method="idt", random_state=0),
    "sliced OT": chroma.transfer(image, reference, method="sot", random_state=0),
}

fig, axes = plt.subplots(2, 4, figsize=(12, 5))
panels = [("image", image), ("reference", reference), *results.items()]
for ax, (title, picture) in zip(axes.flat, panels):
    ax.imshow(picture)
    ax.set_title(title)
    ax.axis("off")
fig.tight_layout()
plt.show()
