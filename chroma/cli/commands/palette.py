"""``chroma palette``: the dominant colors of an image, printed or saved."""

from __future__ import annotations

import argparse

FORMATS = ("hex", "json", "gpl", "css")
SAVE_SUFFIXES = (".json", ".gpl", ".css", ".hex")


def register(sub) -> None:
    p = sub.add_parser(
        "palette",
        help="extract an image's dominant colors (hex, JSON, GIMP .gpl, CSS)",
        description="Extract the N dominant colors of IMAGE by k-means in CIELAB; print "
        "them (with their share of the pixels) or save a palette file, and optionally a "
        "swatch image.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument("image", help="input image file")
    p.add_argument("-n", "--n-colors", type=int, default=6, help="number of colors")
    p.add_argument("--format", choices=FORMATS, default="hex", help="what to print")
    p.add_argument("--order", choices=("share", "lightness", "hue"), default="share",
                   help="order of the colors")
    p.add_argument("--seed", type=int, default=0, help="random seed of the k-means start")
    p.add_argument("--swatch", metavar="PNG", default=None,
                   help="also write a swatch image (colors side by side, sized by share)")
    p.add_argument("--swatch-size", metavar="WxH", default="480x64", help="swatch size")
    p.add_argument("-o", "--output", metavar="FILE", default=None,
                   help="save the palette (.json, .gpl, .css or .hex) instead of printing it")
    p.add_argument("--overwrite", action="store_true", help="replace existing output files")
    p.set_defaults(func=run)


def run(args) -> int:
    from pathlib import Path

    from chroma.cli.commands._common import check_image_suffix, check_paths, say, write_atomic
    from chroma.io import check_writable, read_image, write_image
    from chroma.palettes import extract_palette
    from chroma.palettes import to_css as _to_css
    from chroma.palettes import to_gpl as _to_gpl
    from chroma.palettes import to_json as _to_json

    size = args.swatch_size.lower().split("x")
    try:
        width, height = int(size[0]), int(size[1])
    except (ValueError, IndexError):
        raise ValueError(
            f"--swatch-size expects WxH, e.g. 480x64, got {args.swatch_size!r}") from None
    check_paths([("image", args.image)], [("--swatch", args.swatch), ("-o", args.output)],
                overwrite=args.overwrite)
    if args.output and Path(args.output).suffix.lower() not in SAVE_SUFFIXES:
        raise ValueError(f"-o {args.output!r}: a palette file ends in one of "
                         f"{', '.join(SAVE_SUFFIXES)}")
    if args.swatch:
        check_image_suffix("--swatch", args.swatch)
    image = read_image(args.image)
    pal = extract_palette(image, args.n_colors, random_state=args.seed, order=args.order)
    swatch = check_writable(args.swatch, pal.swatch(width=width, height=height)) \
        if args.swatch else None
    if args.output:  # every output is checked before the first one is written
        write_atomic(args.output, lambda staged: pal.save(staged, overwrite=True),
                     overwrite=args.overwrite)
    if args.swatch:
        write_image(args.swatch, swatch, overwrite=args.overwrite)
    args.stdout_data = not args.output  # then stdout carries the palette, messages go to stderr
    for path in (args.output, args.swatch):
        if path:
            say(args, f"chroma palette: wrote {path}")
    if args.output:
        return 0
    name = Path(args.image).stem
    if args.format == "hex":
        for code, w in zip(pal.to_hex(), pal.weights):
            print(f"{code}  {100 * w:5.1f}%")
    else:
        writer = {"json": _to_json, "gpl": _to_gpl, "css": _to_css}[args.format]
        print(writer(pal, name), end="")
    return 0
