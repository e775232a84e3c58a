"""Demo section: the neural prior colorizes gray photos (issue 5)."""

from __future__ import annotations

import numpy as np

ORDER = 60
TITLE = "Colorization: the CNN prior"


def _gray(img: np.ndarray) -> np.ndarray:
    from chroma.spaces import convert

    lum = convert(img, "rgb", "lab")[..., :1].repeat(3, axis=-1)
    lum[..., 1:] = 0.0
    return np.rint(convert(lum, "lab", "rgb") * 255).astype(np.uint8)


def run(ctx) -> None:
    try:
        import torch  # noqa: F401
    except ImportError:
        ctx.text('Skipped: the CNN prior needs PyTorch '
                 '(pip install -c constraints.txt "chroma-image[neural]").')
        return
    import chroma
    from chroma.colorization import DEFAULT_VIBRANCY, load_weights

    rec = load_weights().record
    ctx.text(
        "chroma.colorize(gray) runs a small CNN (Zhang et al. 2016: a distribution over "
        "quantized a*b* bins, rebalanced cross-entropy, annealed-mean decoding) shipped in "
        f"the package ({rec.get('bytes', 0) / 1e6:.1f} MB, recipe {rec.get('recipe')!r}, "
        "trained on this machine's CPU). The output keeps the gray input's lightness "
        "exactly; only a*b* are invented. Colors are plausible guesses, not the truth."
    )
    for name in ("coffee", "chelsea", "rocket"):
        img = ctx.sample(name)
        gray = _gray(img)
        out = chroma.colorize(gray)
        ctx.figure(f"{name}: gray input, chroma.colorize(gray), the original",
                   [("gray input", gray), ("colorized", out), ("original", img)])
    from chroma.colorization.hints import sample_hints

    img = ctx.sample("coffee")
    gray = _gray(img)
    hints = sample_hints(img, 10, random_state=0)
    ctx.figure(
        "Guidance fixes what the network gets wrong: chroma.colorize(gray, hints=h) with 10 "
        "point hints (the original's color at 10 random pixels), and "
        "chroma.colorize(gray, reference=r) with the original mirrored as the reference "
        "(its colors, none of them pixel-aligned)",
        [("automatic", chroma.colorize(gray)), ("10 hints", chroma.colorize(gray, hints=hints)),
         ("reference", chroma.colorize(gray, reference=img[:, ::-1])), ("original", img)])
    gray = _gray(ctx.sample("astronaut"))
    vibs = sorted({DEFAULT_VIBRANCY, 0.5, 0.9})
    panels = [(f"vibrancy={v:g}" + (" (default)" if v == DEFAULT_VIBRANCY else ""),
               chroma.colorize(gray, vibrancy=v)) for v in vibs]
    ctx.figure("vibrancy sets the annealed-mean temperature T = 1 - vibrancy "
               "(0: the mean color; near 1: the most likely color, vivid and patchy)",
               [("gray", gray), *panels])
