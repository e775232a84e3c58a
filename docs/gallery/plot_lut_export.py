"""
Export a grade as a 3-D LUT and reuse it
========================================

Fit a transfer once, sample it on a 33³ grid with ``to_lut`` and write it as a
``.cube`` file that video tools read (Resolve, Premiere, ``ffmpeg -vf lut3d``).
The statistical methods depend on the image being graded, so the LUT is sampled
for that (ungraded) image; applied to it, the LUT reproduces the direct transform.
"""

import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import chroma
from chroma.datasets import sample

image = sample("coffee")[::2, ::2]
reference = sample("chelsea")[::2, ::2]

grade = chroma.MKLTransfer().fit(reference)
direct = grade.transform(image)
lut = grade.to_lut(33, image=image)

with tempfile.TemporaryDirectory() as folder:
    path = Path(folder) / "grade.cube"
    chroma.write_cube(path, lut, title="coffee to chelsea")
    print(path.read_text().splitlines()[:3])
    again = chroma.read_cube(path)

via_lut = chroma.apply_lut(image, again)
print("largest difference, LUT vs direct (uint8 levels):",
      int(np.abs(via_lut.astype(int) - direct).max()))

# how closely a 33³ LUT follows each method on the full-size pair (docs/transfer.md quotes it)
full_image, full_reference = sample("coffee"), sample("chelsea")
for est in (chroma.MKLTransfer(), chroma.ReinhardTransfer(space="lab"),
            chroma.ReinhardTransfer(space="lalphabeta")):
    est.fit(full_reference)
    error = np.abs(chroma.apply_lut(full_image, est.to_lut(33, image=full_image)).astype(int)
                   - est.transform(full_image))
    print(f"{type(est).__name__} ({est.space}): max {error.max()} levels, "
          f"{np.mean(error > 1):.2%} of the pixels off by more than 1")

# the same LUT on another photo: the look travels, statistics are not re-measured
rocket = chroma.apply_lut(sample("rocket")[::2, ::2], again)

fig, axes = plt.subplots(1, 4, figsize=(13, 3))
panels = [("image", image), ("direct MKL", direct), ("through the .cube", via_lut),
          ("the .cube on the rocket", rocket)]
for ax, (title, picture) in zip(axes, panels):
    ax.imshow(picture)
    ax.set_title(title)
    ax.axis("off")
fig.tight_layout()
plt.show()
