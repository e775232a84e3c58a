"""``chroma mask``: build a mask from an image and write it as an 8-bit gray PNG (a preview).

Also holds the mask options shared with ``chroma splash`` (`add_mask_arguments`,
`build_mask`).
"""

from __future__ import annotations

import argparse

from chroma.cli.commands._common import add_images, add_output


def add_mask_arguments(parser: argparse.ArgumentParser) -> None:
    """Mask selection (one of --hue/--pick/--color/--mask/...) and its modifiers."""
    sel = parser.add_argument_group("mask selection (one or more; several are intersected)")
    sel.add_argument("--hue", metavar="CENTER:WIDTH",
                     help="LCh hue band in degrees, e.g. 40:30 (reds), 230:60 (sky blues)")
    sel.add_argument("--pick", metavar="X,Y", action="append",
                     help="eyedropper: keep colors close to the pixel at column X, row Y "
                          "(repeat for several)")
    sel.add_argument("--color", metavar="#RRGGBB", action="append",
                     help="keep colors close to this one (repeat for several)")
    sel.add_argument("--mask", metavar="FILE", dest="mask_file",
                     help="a mask image (gray, or the alpha of a PNG), same size as the image")
    sel.add_argument("--lightness", metavar="LOW:HIGH", help="L* band, 0..100")
    sel.add_argument("--min-chroma", metavar="C", type=float, dest="chroma_low",
                     help="keep pixels with chroma C* at least this (about 0..130)")
    mod = parser.add_argument_group("mask options")
    mod.add_argument("--falloff", "--softness", dest="falloff", type=float, default=None,
                     help="falloff width of --hue (degrees), --lightness and --min-chroma "
                     "(--softness is its old name)")
    mod.add_argument("--tolerance", "--fuzziness", dest="tolerance", type=float, default=12.0,
                     help="CIEDE2000 tolerance of --pick/--color (default 12; --fuzziness is "
                     "its old name)")
    mod.add_argument("--refine", action="store_true",
                     help="snap the mask to the image's edges (guided filter)")
    mod.add_argument("--feather", type=float, default=0.0, metavar="SIGMA",
                     help="blur the mask edge by a Gaussian of this sigma in pixels")
    mod.add_argument("--invert", action="store_true", help="invert the mask")


def mask_spec(args) -> dict:
    """The mask spec (see chroma.masks.from_spec) that the arguments describe."""
    from chroma.cli.commands._common import parse_floats

    spec: dict = {}
    if args.hue:
        spec["hue"] = parse_floats(args.hue, 2, name="--hue CENTER:WIDTH")
    if args.pick:
        spec["pick"] = [parse_floats(p, 2, name="--pick X,Y") for p in args.pick]
    if args.color:
        spec["colors"] = list(args.color)
    if args.lightness:
        spec["lightness"] = parse_floats(args.lightness, 2, name="--lightness LOW:HIGH")
    if args.chroma_low is not None:
        spec["chroma"] = [args.chroma_low]
    if args.mask_file:
        spec["file"] = args.mask_file
    if not spec:
        raise ValueError(
            "no mask given: use --hue CENTER:WIDTH, --pick X,Y, --color #RRGGBB, --mask FILE, "
            "--lightness LOW:HIGH or --min-chroma C"
        )
    if args.falloff is not None:
        spec["falloff"] = args.falloff
    if "pick" in spec or "colors" in spec:
        spec["tolerance"] = args.tolerance
    if args.refine:
        spec["refine"] = True
    if args.feather:
        spec["feather"] = args.feather
    if args.invert:
        spec["invert"] = True
    return spec


def build_mask(args, image):
    """Build the mask for `image` from the parsed arguments."""
    from chroma.masks import from_spec

    return from_spec(mask_spec(args), image)


def register(sub) -> None:
    p = sub.add_parser(
        "mask",
        help="preview a mask (hue range, eyedropper, file...) as an 8-bit gray PNG",
        description="Build a mask from IMAGE and write it as a gray image: white where the "
        "mask selects, black elsewhere. Use it to tune --hue/--pick before `chroma splash`. "
        "Several inputs (files, folders, quoted globs) need a folder -o.",
    )
    add_images(p)
    add_output(p, stream=True)
    add_mask_arguments(p)
    p.set_defaults(func=run)


def run(args) -> int:
    import numpy as np

    from chroma.cli.commands._common import plan_outputs, run_per_image

    mask_spec(args)  # argument errors before any work
    pairs = plan_outputs(args.image, args.output, stream_format=args.stream_format)

    def apply(image, index):
        return np.rint(build_mask(args, image) * 255.0).astype(np.uint8)

    return run_per_image(args, "mask", pairs, lambda: apply,
                         inputs=[("--mask", args.mask_file)])
