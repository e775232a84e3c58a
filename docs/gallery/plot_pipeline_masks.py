"""
A pipeline with masks
=====================

Two Reinhard transfers, each inside its own mask: the sky (a hue band) takes the
colors of the coffee photo, the rest those of the cat. A :class:`chroma.Pipeline`
step blends its effect in by its mask, so pixels where the mask is 0 come back
unchanged; the pipeline saves as a TOML recipe that ``chroma run`` replays.
"""

import tempfile
from pathlib import Path

import matplotlib.pyplot as plt

import chroma
from chroma import Pipeline, masks
from chroma.datasets import sample
from chroma.pipeline import Step
from chroma.transfers import ReinhardTransfer

rocket = sample("rocket")[::2, ::2]
coffee = sample("coffee")[::2, ::2]
chelsea = sample("chelsea")[::2, ::2]

sky = {"hue": [270, 70], "feather": 3}
pipe = Pipeline([
    Step("sky", ReinhardTransfer(), reference=coffee, mask=sky, strength=0.8),
    Step("rest", ReinhardTransfer(), reference=chelsea, mask={**sky, "invert": True}),
])
graded = pipe.fit().transform(rocket)
print(pipe)

with tempfile.TemporaryDirectory() as folder:
    recipe = Path(folder) / "sky.toml"
    chroma.write_image(Path(folder) / "coffee.png", coffee)
    chroma.write_image(Path(folder) / "chelsea.png", chelsea)
    saved = Pipeline([
        Step("sky", ReinhardTransfer(), reference=str(Path(folder) / "coffee.png"), mask=sky,
             strength=0.8),
        Step("rest", ReinhardTransfer(), reference=str(Path(folder) / "chelsea.png"),
             mask={**sky, "invert": True}),
    ])
    saved.save(recipe)
    print(recipe.read_text())

fig, axes = plt.subplots(1, 3, figsize=(11, 3.2))
panels = [("image", rocket, None), ("sky mask", masks.hue_range(rocket, 270, 70, feather=3),
                                    "gray"), ("pipeline", graded, None)]
for ax, (title, picture, cmap) in zip(axes, panels):
    ax.imshow(picture, cmap=cmap)
    ax.set_title(title)
    ax.axis("off")
fig.tight_layout()
plt.show()
