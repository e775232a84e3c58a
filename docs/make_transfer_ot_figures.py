"""Make the figures of docs/transfer_ot.md (IDT, regrain, sliced OT).

Run from the repository root::

    .venv/bin/python docs/make_transfer_ot_figures.py

Uses the bundled samples rocket <- chelsea from ``data/`` (public domain, see
``data/CREDITS.md``; the rocket's sky is the smooth area of the regrain crops).
Without them it stops with one line (it never switches to other images). Prints
the numbers quoted in the page.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

import chroma
from chroma import metrics
from chroma.transfers.idt import IDTTransfer
from chroma.transfers.sliced import SlicedOTTransfer

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "images" / "transfer_ot"
DATA = ROOT / "data"
PAIR = ("rocket", "chelsea")  # image <- reference


def load_pair():
    """The bundled pair, or None (and one line on stderr) if a sample is missing."""
    missing = [f"data/{n}.png" for n in PAIR if not (DATA / f"{n}.png").is_file()]
    if missing:
        print(f"make_transfer_ot_figures: missing bundled samples {', '.join(missing)}; "
              "run it from a source checkout", file=sys.stderr)
        return None
    return [chroma.read_image(DATA / f"{n}.png") for n in PAIR], " <- ".join(PAIR)


def label(img: np.ndarray, text: str) -> Image.Image:
    im = Image.fromarray(img)
    draw = ImageDraw.Draw(im)
    draw.rectangle([0, 0, 8 + 7 * len(text), 16], fill=(0, 0, 0))
    draw.text((4, 2), text, fill=(255, 255, 255))
    return im


def grid(tiles: list[Image.Image], cols: int) -> Image.Image:
    w, h = tiles[0].size
    rows = -(-len(tiles) // cols)
    sheet = Image.new("RGB", (cols * w + (cols - 1) * 4, rows * h + (rows - 1) * 4), "white")
    for i, t in enumerate(tiles):
        sheet.paste(t, ((i % cols) * (w + 4), (i // cols) * (h + 4)))
    return sheet


def main() -> int:
    pair = load_pair()
    if pair is None:
        return 1
    (image, reference), name = pair
    OUT.mkdir(parents=True, exist_ok=True)
    idt = IDTTransfer(10, random_state=0).fit(reference).transform(image)
    idt_rg = chroma.regrain(image, idt)
    sot = SlicedOTTransfer(random_state=0).fit(reference).transform(image)
    outputs = [("image", image), ("reference", reference), ("IDT (10 it.)", idt),
               ("IDT + regrain", idt_rg), ("sliced OT", sot)]
    print(f"pair: {name}, image {image.shape}, reference {reference.shape}")
    print("output          SW2 Lab to ref   gradient artifacts   L* SSIM vs image")
    for text, out in outputs[2:] + outputs[:1]:
        print(f"{text:15s} {metrics.sliced_wasserstein_lab(out, reference):10.3f}"
              f" {metrics.gradient_artifacts(out, image):18.4f}"
              f" {metrics.lightness_ssim(out, image):16.4f}")
    scale = 240 / max(image.shape[:2])
    size = (round(image.shape[1] * scale), round(image.shape[0] * scale))
    ref_small = np.asarray(Image.fromarray(reference).resize(size, Image.LANCZOS))
    tiles = [label(np.asarray(Image.fromarray(o).resize(size, Image.LANCZOS))
                   if o is not reference else ref_small, t) for t, o in outputs]
    grid(tiles, 5).save(OUT / "overview.jpg", quality=88)
    # 2x crops of a smooth area (sky) without and with regrain
    h, w = image.shape[:2]
    y0, x0, ch, cw = int(0.05 * h), int(0.30 * w), int(0.28 * h), int(0.38 * w)
    crops = []
    for t, o in (("image", image), ("IDT", idt), ("IDT + regrain", idt_rg)):
        c = Image.fromarray(o[y0:y0 + ch, x0:x0 + cw]).resize((2 * cw, 2 * ch), Image.NEAREST)
        crops.append(label(np.asarray(c), t))
    grid(crops, 3).save(OUT / "regrain_crop.png", optimize=True)
    for f in sorted(OUT.iterdir()):
        print(f"wrote {f.relative_to(ROOT)} ({f.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
