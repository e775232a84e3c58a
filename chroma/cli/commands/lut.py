"""``chroma lut``: apply a 3-D LUT (.cube) to images."""

from __future__ import annotations

import argparse

from chroma.cli.commands._common import add_images, add_output


def register(sub) -> None:
    p = sub.add_parser(
        "lut",
        help="apply a 3-D LUT (.cube) to an image or a folder",
        description="3-D lookup tables: 'chroma lut apply grade.cube IMAGE -o OUT'.",
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    a = actions.add_parser(
        "apply",
        help="apply a .cube LUT to an image or every image in a folder",
        description="Apply a 3-D .cube LUT (e.g. one written by 'chroma transfer --lut-out') "
        "to IMAGE (files, folders, quoted globs: then -o is a folder; '-' for stdin, "
        "'-o -' for stdout). dtype (8/16-bit) and alpha are kept.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    a.add_argument("cube", help="the .cube file")
    add_images(a)
    add_output(a, stream=True)
    a.add_argument("--interpolation", choices=("tetrahedral", "trilinear"),
                   default="tetrahedral", help="interpolation inside the LUT's cells")
    a.set_defaults(func=run_apply)
    p.set_defaults(func=lambda args: _usage(p))


def _usage(parser) -> int:
    import sys

    parser.print_help(sys.stderr)
    return 2


def run_apply(args) -> int:
    from chroma.cli.commands._common import plan_outputs, run_per_image
    from chroma.transfers.lut import apply_lut, read_cube

    pairs = plan_outputs(args.image, args.output, stream_format=args.stream_format)

    def make():
        lut = read_cube(args.cube)
        return lambda image, index: apply_lut(image, lut, method=args.interpolation)

    return run_per_image(args, "lut", pairs, make, inputs=[("cube", args.cube)])
