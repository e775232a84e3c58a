"""``chroma stylize``: the colors of a style image, with the lightness (every silhouette) kept."""

from __future__ import annotations

import argparse

from chroma.cli.commands._common import add_output

OPERATORS = ("grid", "lut", "free")
FEATURES = ("random", "colornet", "both")


def register(sub) -> None:
    p = sub.add_parser(
        "stylize",
        help="give an image (or every image in a folder) the colors of a painting or photo, "
        "keeping its lightness",
        description="Color-only style transfer from STYLE onto IMAGE (a file, or a folder of "
        "images: the style's statistics are computed once, an operator is fitted per image). "
        "Only a*b* changes: the output's CIELAB lightness is the input's. --lut-out (with "
        "--operator lut) also saves the grade as a .cube 3-D LUT.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument("image", help="input image file or folder")
    p.add_argument("style", help="style image whose colors are taken")
    add_output(p)
    p.add_argument("--operator", choices=OPERATORS, default="grid",
                   help="grid: bilateral grid over (x, y, L*); lut: global color LUT; "
                   "free: per-pixel (comparison)")
    p.add_argument("--features", choices=FEATURES, default="random",
                   help="features of the style loss")
    p.add_argument("--size", type=int, default=256, help="long side of the fitting proxy")
    p.add_argument("--iterations", type=int, default=60, help="optimizer steps")
    p.add_argument("--strength", type=float, default=1.0, help="effect in [0, 1]")
    p.add_argument("--mask", metavar="F", default=None,
                   help="mask image for IMAGE: stylize only where it is white")
    p.add_argument("--seed", type=int, default=0, help="random seed (equal seeds, equal outputs)")
    p.add_argument("--lut-out", metavar="CUBE", default=None,
                   help="also write the fitted grade of the (first) image as a .cube LUT "
                   "(needs --operator lut)")
    p.add_argument("--lut-size", type=int, default=33, help="grid points per axis of --lut-out")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def run(args) -> int:
    from pathlib import Path

    from chroma.cli.commands._common import input_output_pairs, progress
    from chroma.cli.commands.transfer import read_mask
    from chroma.io import read_image, write_image
    from chroma.stylization import Stylizer, stylize
    from chroma.transfers.lut import write_cube

    pairs = input_output_pairs(args.image, args.output)
    style_path = Path(args.style)
    if any(style_path.resolve() == dst.resolve() for _, dst in pairs):
        raise ValueError(f"--output would overwrite the style image {args.style!r}")
    if args.lut_out:
        if args.operator != "lut":
            raise ValueError("--lut-out needs --operator lut (the grid operator depends on "
                             "where a pixel is, so it is no LUT)")
        if not args.lut_out.lower().endswith(".cube"):
            raise ValueError(f"--lut-out must name a .cube file, got {args.lut_out!r}")
        if Path(args.lut_out).exists() and not args.overwrite:
            raise FileExistsError(f"{args.lut_out!r} exists; pass --overwrite to replace it")
    for _, dst in pairs:
        if dst.exists() and not args.overwrite:
            raise FileExistsError(f"{str(dst)!r} exists; pass --overwrite to replace it")
    st = Stylizer(args.operator, features=args.features, size=args.size,
                  iterations=args.iterations, strength=args.strength, random_state=args.seed,
                  progress=not args.quiet)
    st.fit(read_image(args.style))
    lut = None
    for src, dst in progress(pairs, desc="stylize"):
        image = read_image(src)
        mask = read_mask(args.mask, image) if args.mask else None
        out = stylize(image, st, mask=mask)
        write_image(dst, out, overwrite=args.overwrite)
        if args.lut_out and lut is None:
            lut = st.to_lut(args.lut_size)
    if lut is not None:
        write_cube(args.lut_out, lut, title=f"chroma stylize from {style_path.name}",
                   overwrite=args.overwrite)
        print(f"chroma stylize: wrote {args.lut_out}")
    if len(pairs) == 1:
        print(f"chroma stylize: wrote {pairs[0][1]}")
    else:
        print(f"chroma stylize: wrote {len(pairs)} images to {args.output}")
    return 0
