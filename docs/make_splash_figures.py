"""Make the figures of docs/splash.md (run from the repository root).

    .venv/bin/python docs/make_splash_figures.py

Every image is computed from the bundled samples in data/ with the same
commands that the page shows (the CLI is called through chroma.cli.main), and
the numbers quoted on the page are printed.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

from chroma import masks
from chroma.cli import main
from chroma.compositing import blend, splash
from chroma.io import read_image
from chroma.spaces import convert

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "images" / "splash"
DATA = ROOT / "data"
PANEL_HEIGHT = 240


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


def cli(*args: str) -> None:
    print("$ chroma", " ".join(args))
    if main(list(args)) != 0:
        sys.exit(f"chroma {args[0]} failed")


def max_dl(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(convert(a, "rgb", "lab")[..., 0] - convert(b, "rgb", "lab")[..., 0]).max())


def main_() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp())
    astro_path = DATA / "astronaut.png"
    astro = read_image(astro_path)

    # 1. the tutorial: preview the mask, then splash (gray and sepia)
    cli("mask", str(astro_path), "--hue", "35:30", "--feather", "1.5", "-o", str(tmp / "m.png"))
    cli("splash", str(astro_path), "-o", str(tmp / "s.png"), "--hue", "35:30", "--feather", "1.5")
    cli("splash", str(astro_path), "-o", str(tmp / "sepia.png"), "--hue", "35:30",
        "--feather", "1.5", "--background", "sepia")
    mask, gray, sepia = (read_image(tmp / n) for n in ("m.png", "s.png", "sepia.png"))
    save_row("astronaut_splash.jpg", [astro, mask, gray])
    save_row("astronaut_sepia.jpg", [sepia])
    print(f"astronaut: {100 * mask.mean() / 255:.1f}% selected; max |dL*| gray "
          f"{max_dl(gray, astro):.2f}, sepia {max_dl(sepia, astro):.2f}")
    # too wide a band, and no chroma floor: the face and hair come along
    wide = masks.hue_range(astro, 45, 60, min_chroma=0)
    save_row("astronaut_wide.jpg", [np.rint(wide * 255).astype(np.uint8), splash(astro, wide)])

    # 2. eyedropper + chroma floor + refine on coffee (Python)
    coffee = read_image(DATA / "coffee.png")
    picked = masks.pick(coffee, points=[(90, 250), (450, 300)], tolerance=6)
    saucer = masks.intersect(picked, masks.chroma_threshold(coffee, 55, falloff=10))
    refined = masks.refine(saucer, coffee, radius=4)
    save_row("coffee_pick.jpg", [np.rint(picked * 255).astype(np.uint8),
                                 np.rint(refined * 255).astype(np.uint8),
                                 splash(coffee, refined)])

    # 3. blend modes
    chelsea = read_image(DATA / "chelsea.png")
    h, w = chelsea.shape[:2]
    layer = np.ascontiguousarray(coffee[:h, :w])
    hard = masks.rectangle(chelsea, (w // 2, 0, w, h))
    soft = masks.feather(hard, 12)
    save_row("blend_modes.jpg", [blend(chelsea, layer, soft, mode="chroma"),
                                 blend(chelsea, layer, hard, mode="normal"),
                                 blend(chelsea, layer, hard, mode="pyramid")], height=200)
    dl = max_dl(blend(chelsea, layer, soft, mode="chroma"), chelsea)
    print(f"chroma blend: max |dL*| vs chelsea {dl:.2f}")

    # 4. the two-step recipe
    recipe = OUT / "sky_recipe.toml"
    rocket_path = DATA / "rocket.png"
    cli("run", str(recipe), str(rocket_path), "-o", str(tmp / "graded.png"))
    cli("mask", str(rocket_path), "--hue", "270:70", "--feather", "3", "-o", str(tmp / "sky.png"))
    save_row("rocket_recipe.jpg", [read_image(rocket_path), read_image(tmp / "sky.png"),
                                   read_image(tmp / "graded.png")], height=220)


if __name__ == "__main__":
    main_()
