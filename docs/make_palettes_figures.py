"""Make the figures (and numbers) of docs/palettes.md from the bundled samples.

Run from the repository root:

    .venv/bin/python docs/make_palettes_figures.py

Writes JPEGs into docs/images/palettes/ and prints the numbers the page quotes.
Everything is deterministic (fixed seeds).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from chroma.datasets import sample
from chroma.metrics import ciede2000
from chroma.palettes import (
    Palette,
    PaletteTransfer,
    extract_palette,
    quantize,
    recolor,
    replace_color,
)
from chroma.spaces import convert
from chroma.toning import tone

OUT = Path(__file__).resolve().parent / "images" / "palettes"
SAMPLES = ("coffee", "astronaut", "chelsea", "rocket")
WIDTH = 300  # width of each panel in the figures
GAP = 6


def fit(img: np.ndarray, width: int = WIDTH) -> np.ndarray:
    """Resize to `width` pixels wide (Lanczos)."""
    h = round(img.shape[0] * width / img.shape[1])
    return np.asarray(Image.fromarray(img).resize((width, h), Image.Resampling.LANCZOS))


def row(panels: list[np.ndarray]) -> np.ndarray:
    """Panels side by side on white, top-aligned."""
    h = max(p.shape[0] for p in panels)
    out = []
    for i, p in enumerate(panels):
        pad = np.full((h, p.shape[1], 3), 255, np.uint8)
        pad[: p.shape[0]] = p
        out.append(pad)
        if i < len(panels) - 1:
            out.append(np.full((h, GAP, 3), 255, np.uint8))
    return np.hstack(out)


def column(panels: list[np.ndarray]) -> np.ndarray:
    w = max(p.shape[1] for p in panels)
    out = []
    for p in panels:
        pad = np.full((p.shape[0], w, 3), 255, np.uint8)
        pad[:, : p.shape[1]] = p
        out += [pad, np.full((GAP, w, 3), 255, np.uint8)]
    return np.vstack(out[:-1])


def save(name: str, img: np.ndarray) -> None:
    path = OUT / name
    Image.fromarray(img).save(path, quality=88, optimize=True)
    kib = path.stat().st_size // 1024
    print(f"wrote {path.relative_to(OUT.parent.parent.parent)} ({kib} KiB)")


def mean_de(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.mean(ciede2000(convert(a, "rgb", "lab"), convert(b, "rgb", "lab"))))


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    imgs = {n: sample(n) for n in SAMPLES}

    # 1. palettes of the samples, swatches sized by share
    tiles = []
    print("## palettes (6 colors, random_state=0)")
    for n in SAMPLES:
        pal = extract_palette(imgs[n], 6, random_state=0)
        shares = ", ".join(f"{h} {100 * w:.0f}%" for h, w in zip(pal.to_hex(), pal.weights))
        print(f"{n}: {shares}")
        tiles.append(column([fit(imgs[n]), pal.swatch(WIDTH, 36)]))
    save("swatches.jpg", row(tiles))

    # 2. quantization, plain and dithered (a crop, to see the dots)
    coffee = imgs["coffee"]
    pal6 = extract_palette(coffee, 6, random_state=0)
    q = quantize(coffee, pal6)
    qd = quantize(coffee, pal6, dither=True)
    crop = np.s_[40:240, 150:450]
    save("quantize.jpg", row([coffee[crop], q[crop], qd[crop]]))
    print("## quantization of coffee to its 6 colors: mean ΔE00 "
          f"{mean_de(coffee, q):.2f} plain, {mean_de(coffee, qd):.2f} dithered (per pixel)")

    # 3. palette transfer: coffee with the astronaut's and the rocket's palettes
    panels = [fit(coffee)]
    print("## palette transfer (5 colors, random_state=0): coffee color -> reference color")
    for ref in ("astronaut", "rocket"):
        est = PaletteTransfer(5, random_state=0).fit(imgs[ref])
        src, tgt = est.pairs(coffee)
        print(f"{ref}: " + ", ".join(f"{a}->{b}" for a, b in zip(src.to_hex(), tgt.to_hex())))
        pairs = column([Palette(src.colors).swatch(WIDTH, 18),
                        Palette(tgt.colors).swatch(WIDTH, 18)])
        panels.append(column([fit(est.transform(coffee)), pairs]))
    save("transfer.jpg", row(panels))

    # 4. recolor by hand: edit one palette entry (the saucer's red -> green)
    src = extract_palette(coffee, 5, random_state=0)
    colors = src.colors.copy()
    red = int(np.argmin(np.abs(src.lab[:, 2] - 40) + np.abs(src.lab[:, 0] - 40)))
    colors[red] = Palette.from_hex(["#2f7d3a"]).colors[0]
    tgt = Palette(colors, src.weights)
    edited = recolor(coffee, src, tgt)
    print(f"## recolor: palette entry {src.to_hex()[red]} -> #2f7d3a")
    # 5. one color, inside a soft ellipse: the red cup made blue
    yy, xx = np.mgrid[: coffee.shape[0], : coffee.shape[1]]
    r = np.hypot((xx - 278) / 205, (yy - 222) / 168)
    mask = np.clip((1.03 - r) / 0.06, 0, 1)
    blue = replace_color(coffee, "#a82e10", "#1a4fc0", tolerance=14, mask=mask)
    everywhere = replace_color(coffee, "#a82e10", "#1a4fc0", tolerance=14)
    save("recolor.jpg", row([fit(edited), fit(everywhere), fit(blue)]))

    # 6. toning
    save("tone.jpg", row([
        fit(tone(coffee, mode="sepia")),
        fit(tone(coffee, mode="duotone", colors=["#1b2a6b", "#f6d28a"])),
        fit(tone(coffee, mode="gradient", colors=["#000000", "#7a1f5c", "#f08a24", "#fff3b0"])),
    ]))
    ramp = np.linspace(0, 1, 256, dtype=np.float32)[None, :, None].repeat(24, 0).repeat(3, 2)
    strips = [tone(ramp, mode="sepia"),
              tone(ramp, mode="duotone", colors=["#1b2a6b", "#f6d28a"]),
              tone(ramp, mode="gradient", colors=["#000000", "#7a1f5c", "#f08a24", "#fff3b0"])]
    strips = [np.rint(np.asarray(s) * 255).astype(np.uint8) for s in strips]
    save("tone-ramps.jpg", column([fit(s, 3 * WIDTH + 2 * GAP) for s in strips]))
    for name, s in zip(("sepia", "duotone", "gradient"), strips):
        L = convert(s[0], "rgb", "lab")[:, 0]
        print(f"## tone {name}: L* of a 0..1 gray ramp goes {L[0]:.1f} -> {L[-1]:.1f}, "
              f"smallest step {np.diff(L).min():+.3f} (>= 0 up to 8-bit rounding)")


if __name__ == "__main__":
    main()
