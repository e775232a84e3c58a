"""``chroma recolor``: recolor an image with a reference's palette, or replace one color."""

from __future__ import annotations

import argparse

from chroma.cli.commands._common import add_images, add_output

PALETTE_SUFFIXES = (".json", ".gpl", ".css", ".hex")


def register(sub) -> None:
    p = sub.add_parser(
        "recolor",
        help="recolor an image with another image's (or a palette file's) palette",
        description="Palette-based recoloring. --to REF: extract the palettes of IMAGE and "
        "REF (an image, or a palette file: .json, .gpl, .css, .hex), pair them by optimal "
        "assignment in CIELAB and move each image color to its partner, keeping lightness "
        "order. --replace SRC:DST: change one color (hex codes) and leave the rest alone. "
        "IMAGE may be several files, folders or quoted globs (the reference palette is "
        "extracted once; -o is then a folder), or '-' for stdin ('-o -' for stdout).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    add_images(p)
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--to", metavar="REF_OR_PALETTE",
                      help="reference image or palette file whose colors are taken")
    what.add_argument("--replace", metavar="SRC:DST",
                      help="replace one color, e.g. '#c81414:#1440c8' (make the red car blue)")
    add_output(p, stream=True)
    p.add_argument("-n", "--n-colors", type=int, default=5,
                   help="palette size for --to with a reference image")
    p.add_argument("--strength", type=float, default=1.0, help="blend in [0, 1]")
    p.add_argument("--tolerance", type=float, default=12.0,
                   help="--replace: ΔE within which colors change fully (fades out at 2x)")
    p.add_argument("--seed", type=int, default=0, help="random seed of the palette extraction")
    p.set_defaults(func=run)


def run(args) -> int:
    from pathlib import Path

    from chroma.cli.commands._common import plan_outputs, run_per_image
    from chroma.io import read_image
    from chroma.palettes import Palette, PaletteTransfer, replace_color

    if args.replace is not None:
        src, sep, dst = args.replace.partition(":")
        if not sep:
            raise ValueError(f"--replace expects SRC:DST hex colors, got {args.replace!r}")
    pairs = plan_outputs(args.image, args.output, stream_format=args.stream_format)

    def make():
        if args.to is None:
            return lambda img, index: replace_color(
                img, src.strip(), dst.strip(), tolerance=args.tolerance,
                strength=args.strength)
        ref_path = Path(args.to)
        if ref_path.suffix.lower() in PALETTE_SUFFIXES:
            ref = Palette.load(ref_path)
            n = len(ref)
        else:
            ref = read_image(ref_path)
            n = args.n_colors
        est = PaletteTransfer(n, strength=args.strength, random_state=args.seed).fit(ref)
        return lambda img, index: est.transform(img)

    return run_per_image(args, "recolor", pairs, make, inputs=[("--to", args.to)])
