"""Palette extraction: the 6 dominant colors of a photo.

chroma (``extract_palette``: k-means in CIELAB over an exact 32³ histogram of
every pixel) against colorthief (modified median cut, every 10th pixel by
default), extcolors (tolerance grouping of every distinct color) and Pylette
(k-means in RGB on a 256×256 resize). Each contender returns its colors as a
``(K, 3)`` array.

Quality: quantize the input to each tool's palette with
:func:`chroma.palettes.quantize` (nearest color in CIELAB) and take the mean
CIEDE2000 to the input: a palette that represents the image well leaves a
small error. (The metric evaluates a uniform subsample of at most ~3 MP, every
2nd pixel of every 2nd row at 12 MP, to bound its cost; it is not timed.)
"""

from __future__ import annotations

import numpy as np

from chroma.bench.harness import Case

N_COLORS = 6
_METRIC_MAX_PIXELS = 3_000_000


def _chroma(image, reference):
    from chroma.palettes import extract_palette

    return extract_palette(image, N_COLORS, random_state=0).colors


def _colorthief(image, reference):
    from colorthief import ColorThief
    from PIL import Image

    thief = ColorThief.__new__(ColorThief)  # its constructor wants a file; give it the array
    thief.image = Image.fromarray(image)
    return np.array(thief.get_palette(color_count=N_COLORS), dtype=np.uint8)


def _extcolors(image, reference):
    import extcolors
    from PIL import Image

    colors, _ = extcolors.extract_from_image(Image.fromarray(image), limit=N_COLORS)
    return np.array([c for c, _ in colors], dtype=np.uint8)


def _pylette(image, reference):
    from pylette import extract_colors

    pal = extract_colors(image, palette_size=N_COLORS)
    return np.array([c.rgb for c in pal.colors], dtype=np.uint8)


def quantized_ciede2000(output, image, reference=None) -> float:
    """Mean CIEDE2000 between `image` and `image` quantized to the palette `output`."""
    from chroma.palettes import quantize
    from chroma.spaces import convert

    try:
        from chroma.metrics import ciede2000
    except ImportError:  # pragma: no cover - metrics module missing
        from skimage.color import deltaE_ciede2000 as ciede2000

    colors = np.asarray(output)
    colors = colors / 255.0 if colors.dtype.kind in "iu" else colors.astype(np.float64)
    step = max(1, int(np.ceil(np.sqrt(image.shape[0] * image.shape[1] / _METRIC_MAX_PIXELS))))
    img = np.ascontiguousarray(image[::step, ::step])
    q = quantize(img, np.clip(colors, 0, 1))
    return float(np.mean(ciede2000(convert(img, "rgb", "lab"), convert(q, "rgb", "lab"))))


quantized_ciede2000.label = "ΔE00 mean, image quantized to the palette"
quantized_ciede2000.better = "lower"

CASES = [
    Case(
        task=f"palette extraction, {N_COLORS} colors, uint8",
        contenders={
            "chroma": _chroma,
            "colorthief": _colorthief,
            "extcolors": _extcolors,
            "Pylette": _pylette,
        },
        sizes_mp=(1, 12),
        dtype="uint8",
        quality=(quantized_ciede2000,),
        requires={"colorthief": "colorthief", "extcolors": "extcolors", "Pylette": "pylette"},
        repeats=5,
        inputs="single",
        notes="Not the same work, by design of each tool: chroma histograms every pixel "
        "(Numba, parallel) and runs weighted k-means in CIELAB on the ~4k occupied bins; "
        "colorthief runs median cut in pure Python on every 10th pixel (its default "
        "quality=10); extcolors counts every distinct color and merges within a tolerance "
        "(pure Python); Pylette resizes to 256×256 (Pillow) and runs scikit-learn k-means in "
        "RGB. colorthief may return fewer colors than asked. The quality column quantizes "
        "the image to each palette in CIELAB and takes the mean ΔE00 to the image.",
        contender_notes={
            "colorthief": "median cut, every 10th pixel",
            "extcolors": "tolerance 32, all pixels",
            "Pylette": "k-means in RGB on a 256×256 resize",
        },
    ),
]


def fidelity_sweep(folder=None) -> None:
    """Fidelity (not speed) of each tool on every evaluation photo at its own size.

    ``python -m chroma.bench.cases.palette`` prints the mean and median of the
    quantized-image ΔE00 over the photos and how often chroma's palette wins.
    """
    from pathlib import Path

    from chroma.bench.harness import find_eval_dir
    from chroma.io import read_image

    folder = Path(folder) if folder else find_eval_dir()
    if folder is None or not Path(folder).is_dir():
        raise SystemExit("no evaluation photos found (shared/photos/eval)")
    tools = {"chroma": _chroma, "Pylette": _pylette, "colorthief": _colorthief}
    scores: dict[str, list[float]] = {n: [] for n in tools}
    paths = sorted(p for p in Path(folder).iterdir() if p.suffix.lower() in (".jpg", ".png"))
    for path in paths:
        img = read_image(path)
        img = np.repeat(img[..., None], 3, -1) if img.ndim == 2 else img[..., :3]
        img = np.ascontiguousarray(img)
        for name, fn in tools.items():
            scores[name].append(quantized_ciede2000(fn(img, None), img))
    ours = np.array(scores["chroma"])
    print(f"{len(paths)} photos from {folder}; {N_COLORS} colors; quantized-image ΔE00")
    for name, values in scores.items():
        v = np.array(values)
        wins = "" if name == "chroma" else f"  chroma better on {(ours < v).sum()}/{len(v)}"
        print(f"{name:10s} mean {v.mean():.3f}  median {np.median(v):.3f}{wins}")


if __name__ == "__main__":
    fidelity_sweep()
