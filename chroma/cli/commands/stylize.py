"""``chroma stylize``: the colors of a style image, with the lightness (every silhouette) kept."""

from __future__ import annotations

import argparse

from chroma.cli.commands._common import add_images, add_output

OPERATORS = ("grid", "lut", "free")
FEATURES = ("random", "colornet", "both")


def register(sub) -> None:
    p = sub.add_parser(
        "stylize",
        help="give an image (or every image in a folder) the colors of a painting or photo, "
        "keeping its lightness",
        description="Color-only style transfer from STYLE onto IMAGE: 'chroma stylize IMAGE "
        "STYLE -o OUT', or several inputs (files, folders, quoted globs) with '--style "
        "STYLE -o FOLDER' (the style's statistics are computed once, an operator is "
        "fitted per image; '-' reads stdin, '-o -' writes stdout). "
        "Only a*b* changes: the output's CIELAB lightness is the input's. --lut-out (with "
        "--operator lut) also saves the grade as a .cube 3-D LUT.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    add_images(p, what="input images, then the style image unless --style is given")
    p.add_argument("--style", dest="style_option", metavar="STYLE", default=None,
                   help="style image whose colors are taken (else the last IMAGE)")
    add_output(p, stream=True)
    p.add_argument("--operator", choices=OPERATORS, default="grid",
                   help="grid: bilateral grid over (x, y, L*); lut: global color LUT; "
                   "free: per-pixel (comparison)")
    p.add_argument("--features", choices=FEATURES, default="random",
                   help="features of the style loss")
    p.add_argument("--size", type=int, default=256, help="long side of the fitting proxy")
    p.add_argument("--iterations", type=int, default=100, help="optimizer steps")
    p.add_argument("--strength", type=float, default=1.0, help="effect in [0, 1]")
    p.add_argument("--mask", metavar="F", default=None,
                   help="mask image for IMAGE: stylize only where it is white")
    p.add_argument("--seed", type=int, default=0, help="random seed (equal seeds, equal outputs)")
    p.add_argument("--lut-out", metavar="CUBE", default=None,
                   help="also write the fitted grade of the (first) image as a .cube LUT "
                   "(needs --operator lut)")
    p.add_argument("--lut-size", type=int, default=33, help="grid points per axis of --lut-out")
    p.set_defaults(func=run)


def run(args) -> int:
    from pathlib import Path

    from chroma.cli.commands._common import plan_outputs, run_per_image
    from chroma.cli.commands.transfer import read_mask
    from chroma.io import read_image
    from chroma.stylization import Stylizer, stylize
    from chroma.transfers.lut import write_cube

    images = list(args.image)
    if args.style_option is not None:
        style = args.style_option
    elif len(images) < 2:
        raise ValueError("no style image: give 'IMAGE STYLE' or --style STYLE")
    else:
        images, style = images[:-1], images[-1]
    if args.lut_out:
        if args.operator != "lut":
            raise ValueError("--lut-out needs --operator lut (the grid operator depends on "
                             "where a pixel is, so it is no LUT)")
        if not args.lut_out.lower().endswith(".cube"):
            raise ValueError(f"--lut-out must name a .cube file, got {args.lut_out!r}")
    pairs = plan_outputs(images, args.output, stream_format=args.stream_format)
    title = f"chroma stylize from {Path(style).name}"

    def make():
        st = Stylizer(args.operator, features=args.features, size=args.size,
                      iterations=args.iterations, strength=args.strength,
                      random_state=args.seed, progress=not args.quiet)
        st.fit(read_image(style))

        def apply(image, index):
            mask = read_mask(args.mask, image) if args.mask else None
            out = stylize(image, st, mask=mask)
            if not (args.lut_out and index == 0):
                return out
            lut = st.to_lut(args.lut_size)  # the grade of the first image
            return out, [("--lut-out", args.lut_out, lambda staged: write_cube(
                staged, lut, title=title, overwrite=True))]
        return apply

    return run_per_image(args, "stylize", pairs, make,
                         inputs=[("style", style), ("--mask", args.mask)],
                         outputs=[("--lut-out", args.lut_out)])
