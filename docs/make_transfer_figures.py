"""Make the figures of docs/transfer.md (histogram matching, Reinhard, MKL, masks, LUTs).

Run from the repository root::

    .venv/bin/python docs/make_transfer_figures.py

Uses only the bundled samples in ``data/`` (public domain, see
``data/CREDITS.md``): the main pair is rocket <- chelsea (a sky to match region to
region), the sample row adds coffee <- chelsea and astronaut <- rocket. Without
them it stops with one line (it never switches to other images). Figures are
small (240 px tiles). Prints the numbers quoted in the page.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

import chroma
from chroma import metrics
from chroma.transfers import MKLTransfer, ReinhardTransfer, apply_lut, transfer

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "images" / "transfer"
DATA = ROOT / "data"
SAMPLES = ("rocket", "chelsea", "coffee", "astronaut")
TILE = 240

METHODS = [
    ("histogram", "histogram", {}),
    ("Reinhard (CIELAB)", "reinhard", {"space": "lab"}),
    ("Reinhard (l-alpha-beta)", "reinhard", {"space": "lalphabeta"}),
    ("MKL", "mkl", {}),
]


def load_samples() -> dict[str, np.ndarray] | None:
    """The bundled samples from data/, or None (and one line on stderr) if any is missing."""
    missing = [f"data/{n}.png" for n in SAMPLES if not (DATA / f"{n}.png").is_file()]
    if missing:
        print(f"make_transfer_figures: missing bundled samples {', '.join(missing)}; "
              "run it from a source checkout", file=sys.stderr)
        return None
    return {n: chroma.read_image(DATA / f"{n}.png") for n in SAMPLES}


def small(img: np.ndarray) -> np.ndarray:
    if img.dtype != np.uint8:
        img = np.rint(np.clip(img, 0, 1) * 255).astype(np.uint8)
    scale = TILE / max(img.shape[:2])
    size = (round(img.shape[1] * scale), round(img.shape[0] * scale))
    return np.asarray(Image.fromarray(img).resize(size, Image.LANCZOS))


def label(img: np.ndarray, text: str) -> Image.Image:
    im = Image.fromarray(small(img)).convert("RGB")
    draw = ImageDraw.Draw(im)
    draw.rectangle([0, 0, 8 + 6 * len(text), 14], fill=(0, 0, 0))
    draw.text((4, 1), text, fill=(255, 255, 255))
    return im


def grid(tiles: list[Image.Image], cols: int) -> Image.Image:
    w = max(t.size[0] for t in tiles)
    h = max(t.size[1] for t in tiles)
    rows = -(-len(tiles) // cols)
    sheet = Image.new("RGB", (cols * w + (cols - 1) * 4, rows * h + (rows - 1) * 4), "white")
    for i, t in enumerate(tiles):
        sheet.paste(t, ((i % cols) * (w + 4), (i // cols) * (h + 4)))
    return sheet


def row(image, reference):
    outs = [(name, transfer(image, reference, method, **opts)) for name, method, opts in METHODS]
    return [("image", image), ("reference", reference), *outs]


def report(image, reference, outs, title):
    print(f"\n{title}: image {image.shape}, reference {reference.shape}")
    print("output               SW2 Lab to ref   EMD Lab to ref   L* SSIM vs image")
    for text, out in [("image (no transfer)", image), *outs[2:]]:
        print(f"{text:20s} {metrics.sliced_wasserstein_lab(out, reference):12.3f}"
              f" {metrics.emd_per_channel(out, reference).sum():16.3f}"
              f" {metrics.lightness_ssim(out, image):16.4f}")


def main() -> int:
    samples = load_samples()
    if samples is None:
        return 1
    rocket, chelsea = samples["rocket"], samples["chelsea"]
    coffee, astronaut = samples["coffee"], samples["astronaut"]
    OUT.mkdir(parents=True, exist_ok=True)
    outs = row(rocket, chelsea)
    report(rocket, chelsea, outs, "rocket <- chelsea")
    grid([label(o, t) for t, o in outs], 3).save(OUT / "methods.jpg", quality=85)
    # bundled samples: two pairs, one row each
    tiles = []
    for image, reference, title in ((coffee, chelsea, "coffee <- chelsea"),
                                    (astronaut, rocket, "astronaut <- rocket")):
        outs = row(image, reference)
        report(image, reference, outs, title)
        tiles += [label(o, t) for t, o in outs]
    grid(tiles, 6).save(OUT / "samples.jpg", quality=85)

    # options: region to region, strength, keep_luminance
    image, reference = rocket, chelsea
    h, w = image.shape[:2]
    rows = np.linspace(0.0, 1.0, h, dtype=np.float32)
    sky = np.clip((0.45 - rows) / 0.1, 0.0, 1.0)[:, None].repeat(w, 1)  # feathered top band
    ref_sky = np.zeros(reference.shape[:2], bool)
    ref_sky[: int(0.35 * reference.shape[0])] = True
    region = transfer(image, reference, "reinhard", mask=sky, reference_mask=ref_sky)
    half = transfer(image, reference, "reinhard", strength=0.5)
    kept = transfer(image, reference, "reinhard", keep_luminance=True)
    outside = sky == 0
    assert np.array_equal(region[outside], image[outside])
    tiles = [label(image, "image"), label(sky, "mask (sky, feathered)"),
             label(ref_sky.astype(np.float32), "reference_mask (top 35%)"),
             label(region, "sky <- reference top"), label(half, "strength=0.5"),
             label(kept, "keep_luminance=True")]
    grid(tiles, 3).save(OUT / "options.jpg", quality=85)

    # a LUT: the grade of one image, applied to another; error of the LUT on its own image
    print("\nLUT (33^3) vs direct transform, max |difference| in uint8 levels:")
    for est in (ReinhardTransfer(space="lab"), ReinhardTransfer(space="lalphabeta"),
                MKLTransfer(), chroma.HistogramMatcher()):
        est.fit(reference)
        direct = est.transform(image).astype(int)
        lut = est.to_lut(33, image=image)
        for m in ("tetrahedral", "trilinear"):
            err = np.abs(apply_lut(image, lut, method=m).astype(int) - direct)
            print(f"  {type(est).__name__:16s} {getattr(est, 'space', ''):10s} {m:11s}"
                  f" max {err.max():3d}  share > 1 level {np.mean(err > 1):.4f}")
    grade = MKLTransfer().fit(reference).to_lut(33, image=image)
    tiles = [label(image, "image"), label(transfer(image, reference, "mkl"), "MKL"),
             label(coffee, "another image"), label(apply_lut(coffee, grade), "same grade (LUT)")]
    grid(tiles, 4).save(OUT / "lut.jpg", quality=85)
    for f in sorted(OUT.iterdir()):
        print(f"wrote {f.relative_to(ROOT)} ({f.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
