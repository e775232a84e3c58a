"""``chroma recolor``: recolor an image with a reference's palette, or replace one color."""

from __future__ import annotations

import argparse

from chroma.cli.commands._common import add_output

PALETTE_SUFFIXES = (".json", ".gpl", ".css", ".hex")


def register(sub) -> None:
    p = sub.add_parser(
        "recolor",
        help="recolor an image with another image's (or a palette file's) palette",
        description="Palette-based recoloring. --to REF: extract the palettes of IMAGE and "
        "REF (an image, or a palette file: .json, .gpl, .css, .hex), pair them by optimal "
        "assignment in CIELAB and move each image color to its partner, keeping lightness "
        "order. --replace SRC:DST: change one color (hex codes) and leave the rest alone. "
        "IMAGE may be a folder (the reference palette is extracted once).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument("image", help="input image file or folder")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--to", metavar="REF_OR_PALETTE",
                      help="reference image or palette file whose colors are taken")
    what.add_argument("--replace", metavar="SRC:DST",
                      help="replace one color, e.g. '#c81414:#1440c8' (make the red car blue)")
    add_output(p)
    p.add_argument("-n", "--n-colors", type=int, default=5,
                   help="palette size for --to with a reference image")
    p.add_argument("--strength", type=float, default=1.0, help="blend in [0, 1]")
    p.add_argument("--tolerance", type=float, default=12.0,
                   help="--replace: ΔE within which colors change fully (fades out at 2x)")
    p.add_argument("--seed", type=int, default=0, help="random seed of the palette extraction")
    p.set_defaults(func=run)


def run(args) -> int:
    from pathlib import Path

    from chroma.cli.commands._common import (
        check_paths,
        image_inputs,
        image_outputs,
        input_output_pairs,
        progress,
    )
    from chroma.io import read_image, write_image
    from chroma.palettes import Palette, PaletteTransfer, replace_color

    pairs = input_output_pairs(args.image, args.output)
    check_paths(image_inputs(pairs, ("--to", args.to)), image_outputs(pairs),
                overwrite=args.overwrite)
    if args.to is not None:
        ref_path = Path(args.to)
        if ref_path.suffix.lower() in PALETTE_SUFFIXES:
            ref = Palette.load(ref_path)
            n = len(ref)
        else:
            ref = read_image(ref_path)
            n = args.n_colors
        est = PaletteTransfer(n, strength=args.strength, random_state=args.seed).fit(ref)

        def apply(img):
            return est.transform(img)
    else:
        src, sep, dst = args.replace.partition(":")
        if not sep:
            raise ValueError(f"--replace expects SRC:DST hex colors, got {args.replace!r}")

        def apply(img):
            return replace_color(img, src.strip(), dst.strip(), tolerance=args.tolerance,
                                 strength=args.strength)

    for src_path, dst_path in progress(pairs, desc="recolor"):
        write_image(dst_path, apply(read_image(src_path)), overwrite=args.overwrite)
    return 0
