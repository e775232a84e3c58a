"""Make the figures of docs/guided.md (run from the repository root).

    .venv/bin/python docs/make_guided_figures.py
    .venv/bin/python docs/make_guided_figures.py prior   # only the CNN reference row

Everything comes from the bundled samples in data/: chelsea made gray, then
colorized from two references (Welsh), from a handful of point hints and
from a scribble (Levin), and inside a mask. The hints file used on the page
is written next to the images.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import chroma  # noqa: E402
from chroma.colorization.hints import read_hints, write_hints  # noqa: E402
from chroma.colorization.scribble import scribble_colorize  # noqa: E402
from chroma.colorization.welsh import welsh_colorize  # noqa: E402
from chroma.datasets import sample  # noqa: E402
from chroma.metrics import psnr  # noqa: E402
from chroma.spaces import convert  # noqa: E402

OUT = ROOT / "docs" / "images" / "guided"
PANEL_HEIGHT = 200

# (x, y) points on chelsea; their colors are read from the original photo
# (mean of a 5x5 patch), as a user with a color picker would
HINT_POINTS = [
    (150, 150),  # fur, cheek
    (230, 60),  # fur, forehead
    (330, 230),  # fur, chest
    (60, 230),  # fur, left
    (400, 150),  # fur, right
    (40, 40),  # wall, left
    (420, 40),  # wall, right
    (152, 118),  # iris
]


def _rgb(img: np.ndarray) -> np.ndarray:
    return np.repeat(img[..., None], 3, -1) if img.ndim == 2 else img[..., :3]


def save_row(name: str, images: list[np.ndarray], height: int = PANEL_HEIGHT) -> None:
    """Side-by-side panels at one height, 6 px apart, as a JPEG."""
    panels = []
    for img in images:
        im = Image.fromarray(_rgb(img))
        w = round(im.width * height / im.height)
        panels.append(np.asarray(im.resize((w, height), Image.LANCZOS)))
    gap = np.full((height, 6, 3), 255, np.uint8)
    row = panels[0]
    for p in panels[1:]:
        row = np.concatenate([row, gap, p], 1)
    Image.fromarray(row).save(OUT / name, quality=85, optimize=True)
    print(f"wrote {OUT / name}")


def gray_of(rgb8: np.ndarray) -> np.ndarray:
    lab = convert(rgb8, "rgb", "lab")
    lab[..., 1:] = 0
    return np.rint(convert(lab, "lab", "rgb") * 255).astype(np.uint8)


def mark(gray: np.ndarray, hints, radius: int = 6) -> np.ndarray:
    """The gray photo with each hint drawn as a dot of its color, ringed in white."""
    im = Image.fromarray(_rgb(gray))
    d = ImageDraw.Draw(im)
    for r, c, col in zip(hints.rows, hints.cols, hints.rgb8):
        box = (c - radius, r - radius, c + radius, r + radius)
        d.ellipse(box, fill=tuple(int(v) for v in col), outline=(255, 255, 255), width=2)
    return np.asarray(im)


def prior_row(gray: np.ndarray) -> None:
    """The CNN: automatic, then from the two references (global hint + band-wise match)."""

    ref_lab = {}
    outs = [chroma.colorize(gray)]
    for name in ("coffee", "rocket"):
        ref = sample(name)
        outs += [ref, chroma.colorize(gray, reference=ref)]
        ref_lab[name] = convert(ref, "rgb", "lab")
    save_row("prior_reference.jpg", [gray, *outs], height=170)
    for name, out in zip(("automatic", "coffee", "rocket"), outs[::2]):
        print(f"prior, {name}: SW(a*b*) to coffee "
              f"{_sw_ab(convert(out, 'rgb', 'lab'), ref_lab['coffee']):.2f}, to rocket "
              f"{_sw_ab(convert(out, 'rgb', 'lab'), ref_lab['rocket']):.2f}")


def _sw_ab(lab1: np.ndarray, lab2: np.ndarray) -> float:
    from benchmarks.guided import sliced_wasserstein_ab

    return sliced_wasserstein_ab(lab1.astype(np.float64), lab2.astype(np.float64))


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    if sys.argv[1:] == ["prior"]:  # only the CNN row (needs torch)
        prior_row(gray_of(sample("chelsea")))
        return
    truth = sample("chelsea")
    gray = gray_of(truth)
    Image.fromarray(gray).save(OUT / "chelsea_gray.png", optimize=True)  # input for the CLI

    # 1. automatic (the shipped CNN prior, needs torch) and from reference photos (Welsh)
    ref_a, ref_b = sample("coffee"), sample("rocket")
    out_a = welsh_colorize(gray, ref_a, random_state=0)
    out_b = welsh_colorize(gray, ref_b, random_state=0)
    try:
        import chroma

        auto = [chroma.colorize(gray)]
    except ImportError as err:  # no torch: the row goes without the automatic panel
        print(f"automatic panel skipped: {err}")
        auto = []
    save_row("welsh.jpg", [gray, *auto, ref_a, out_a, ref_b, out_b], height=170)
    if auto:
        prior_row(gray)

    # 2. point hints (Levin et al. 2004), from a JSON file as on the page
    hints_path = OUT / "chelsea_hints.json"
    picked = []
    for x, y in HINT_POINTS:
        patch = truth[y - 2 : y + 3, x - 2 : x + 3].reshape(-1, 3).mean(0)
        picked.append((x, y, tuple(int(v) for v in np.rint(patch))))
    write_hints(hints_path, picked, overwrite=True)
    hints = read_hints(hints_path, shape=gray.shape)
    out_h = scribble_colorize(gray, hints)
    out_h_levin = scribble_colorize(gray, hints, sigma=None)
    save_row("hints.jpg", [mark(gray, hints), out_h, out_h_levin, truth])
    print(f"PSNR vs the original: gray {psnr(gray, truth):.2f} dB, {len(hints)} hints "
          f"{psnr(out_h, truth):.2f} dB (sigma=3), {psnr(out_h_levin, truth):.2f} dB "
          "(Levin's local sigma)")

    # 3. a scribble image: strokes on a transparent layer
    strokes = Image.new("RGBA", (gray.shape[1], gray.shape[0]), (0, 0, 0, 0))
    d = ImageDraw.Draw(strokes)
    d.line([(110, 140), (190, 110), (260, 90)], fill=(170, 110, 70, 255), width=7)  # fur
    d.line([(250, 250), (360, 240)], fill=(200, 160, 120, 255), width=7)  # chest
    d.line([(60, 200), (100, 270)], fill=(170, 120, 80, 255), width=7)  # fur, left
    d.line([(360, 110), (400, 190)], fill=(170, 120, 80, 255), width=7)  # fur, right
    d.line([(150, 112), (154, 126)], fill=(150, 170, 60, 255), width=4)  # iris: green
    d.line([(20, 30), (60, 160)], fill=(60, 90, 140, 255), width=7)  # wall: blue
    d.line([(380, 20), (440, 160)], fill=(60, 90, 140, 255), width=7)
    d.line([(380, 275), (440, 290)], fill=(90, 60, 40, 255), width=7)  # table
    scribble = np.asarray(strokes)
    Image.fromarray(scribble).save(OUT / "chelsea_scribble.png", optimize=True)
    out_s = scribble_colorize(gray, scribble)
    over = _rgb(gray).copy()
    on = scribble[..., 3] > 0
    over[on] = scribble[on, :3]
    # 4. only inside a mask: the scribble result, gray outside an ellipse around the cat
    yy, xx = np.mgrid[: gray.shape[0], : gray.shape[1]]
    mask = ((yy - 180) / 150) ** 2 + ((xx - 220) / 170) ** 2 <= 1
    out_m = chroma.colorize(gray, method="scribble", hints=scribble, mask=mask)
    save_row("scribble.jpg", [over, out_s, out_m])
    lab_in = convert(gray, "rgb", "lab")[..., 0]
    lab_out = convert(out_m, "rgb", "lab")
    print(f"mask: max |a*b*| outside {np.abs(lab_out[~mask][:, 1:]).max():.3f}, "
          f"max |ΔL*| {np.abs(lab_out[..., 0] - lab_in).max():.3f}")


if __name__ == "__main__":
    main()
