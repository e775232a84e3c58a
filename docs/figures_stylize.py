"""Make the figures of docs/stylize.md from the bundled samples (data/) only.

Run from the repository root (10 to 30 minutes on 2 busy cores)::

    python docs/figures_stylize.py

Writes ``docs/images/stylize/grid.jpg`` (content | style | Reinhard | IDT |
sliced OT | stylize with each operator) and ``docs/images/stylize/features.jpg``
(the grid operator with random-filter, ColorNet and both features), and prints
the max |ΔL*|, the style distance, the gradient artifacts and the color blotches
(:func:`chroma.stylization.color_blotches`) of every tile.
``python docs/figures_stylize.py --palette`` (about a minute) writes only
``docs/images/stylize/palette.jpg``: the cat with the coffee style, the default grid
against ``palette_weight`` 32 and 128 (the in-style color term), and prints their scores.
The eval photos are not redistributable, so no figure is made from them here
(``benchmarks/stylize_eval.py --figure`` makes a local-only one).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import chroma  # noqa: E402
from chroma.metrics import gradient_artifacts, sliced_wasserstein_lab  # noqa: E402
from chroma.stylization import color_blotches  # noqa: E402

OUT = ROOT / "docs" / "images" / "stylize"
DATA = ROOT / "data"
PAIRS = [("chelsea", "coffee"), ("astronaut", "rocket"), ("rocket", "chelsea")]
TILE = 200
SIDE = 384  # long side the images are worked at


def load(name: str) -> np.ndarray:
    img = chroma.read_image(DATA / f"{name}.png")[..., :3]
    scale = SIDE / max(img.shape[:2])
    size = (round(img.shape[1] * scale), round(img.shape[0] * scale))
    return np.asarray(Image.fromarray(img).resize(size, Image.LANCZOS))


def tile(img: np.ndarray, text: str) -> Image.Image:
    scale = TILE / img.shape[0]
    im = Image.fromarray(img).resize((round(img.shape[1] * scale), TILE), Image.LANCZOS)
    draw = ImageDraw.Draw(im)
    draw.rectangle([0, 0, 8 + 6 * len(text), 14], fill=(0, 0, 0))
    draw.text((4, 1), text, fill=(255, 255, 255))
    return im


def sheet(rows: list[list[Image.Image]], path: Path) -> None:
    width = max(sum(t.width + 4 for t in row) for row in rows)
    canvas = Image.new("RGB", (width, len(rows) * (TILE + 4)), (255, 255, 255))
    for i, row in enumerate(rows):
        x = 0
        for t in row:
            canvas.paste(t, (x, i * (TILE + 4)))
            x += t.width + 4
    path.parent.mkdir(parents=True, exist_ok=True)
    canvas.save(path, quality=88)
    print(f"wrote {path.relative_to(ROOT)}")


def max_dl(a, b) -> float:
    return float(np.abs(chroma.convert(a, "rgb", "lab")[..., 0]
                        - chroma.convert(b, "rgb", "lab")[..., 0]).max())


def palette_figure() -> int:
    """The cat with the coffee style: the default grid and the in-style color term."""
    image, style = load("chelsea"), load("coffee")
    row = [tile(image, "chelsea"), tile(style, "style: coffee")]
    for weight in (0.0, 32.0, 128.0):
        out = chroma.stylize(image, style, random_state=0, progress=False,
                             palette_weight=weight)
        row.append(tile(out, f"grid, palette_weight={weight:g}"))
        print(f"chelsea <- coffee palette_weight={weight:g}: SW "
              f"{sliced_wasserstein_lab(out, style):.2f}  max dL {max_dl(out, image):.2f}  "
              f"artifacts {gradient_artifacts(out, image):.3f}  blotches "
              f"{color_blotches(out, image):.2f}", flush=True)
    sheet([row], OUT / "palette.jpg")
    return 0


def main() -> int:
    if "--palette" in sys.argv[1:]:
        return palette_figure()
    rows, feature_rows = [], []
    for content_name, style_name in PAIRS:
        image, style = load(content_name), load(style_name)
        row = [tile(image, content_name), tile(style, f"style: {style_name}")]
        classical = {
            "Reinhard": chroma.transfer(image, style, method="reinhard", space="lab",
                                        keep_luminance=True),
            "IDT": chroma.transfer(image, style, method="idt", space="lab",
                                   keep_luminance=True, random_state=0),
            "sliced OT": chroma.transfer(image, style, method="sot", keep_luminance=True,
                                         random_state=0),
        }
        for name, out in classical.items():
            row.append(tile(out, name))
            sw = sliced_wasserstein_lab(out, style)
            print(f"{content_name} <- {style_name} {name:>10}: SW {sw:.2f}  max dL "
                  f"{max_dl(out, image):.2f}  artifacts {gradient_artifacts(out, image):.3f}"
                  f"  blotches {color_blotches(out, image):.2f}")
        outs = {}
        for operator in ("grid", "lut", "free"):
            out = outs[operator] = chroma.stylize(image, style, operator=operator,
                                                  random_state=0, progress=False)
            row.append(tile(out, f"stylize {operator}"))
            sw = sliced_wasserstein_lab(out, style)
            print(f"{content_name} <- {style_name} {operator:>10}: SW {sw:.2f}  max dL "
                  f"{max_dl(out, image):.2f}  artifacts {gradient_artifacts(out, image):.3f}"
                  f"  blotches {color_blotches(out, image):.2f}", flush=True)
        rows.append(row)
        if len(feature_rows) < 1:
            frow = [tile(image, content_name), tile(style, f"style: {style_name}")]
            for features in ("random", "colornet", "both"):
                out = outs["grid"] if features == "random" else chroma.stylize(
                    image, style, features=features, random_state=0, progress=False)
                frow.append(tile(out, f"grid, {features}"))
                print(f"{content_name} <- {style_name} {features:>10}: SW "
                      f"{sliced_wasserstein_lab(out, style):.2f}", flush=True)
            feature_rows.append(frow)
    sheet(rows, OUT / "grid.jpg")
    sheet(feature_rows, OUT / "features.jpg")
    return 0


if __name__ == "__main__":
    sys.exit(main())
