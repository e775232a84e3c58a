"""``chroma lut``: apply a 3-D LUT (.cube) to images."""

from __future__ import annotations

import argparse

from chroma.cli.commands._common import add_output


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
        "to IMAGE (a file or a folder). dtype (8/16-bit) and alpha are kept.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    a.add_argument("cube", help="the .cube file")
    a.add_argument("image", help="input image file or folder")
    add_output(a)
    a.add_argument("--interpolation", choices=("tetrahedral", "trilinear"),
                   default="tetrahedral", help="interpolation inside the LUT's cells")
    a.set_defaults(func=run_apply)
    p.set_defaults(func=lambda args: _usage(p))


def _usage(parser) -> int:
    import sys

    parser.print_help(sys.stderr)
    return 2


def run_apply(args) -> int:
    from chroma.cli.commands._common import (
        check_paths,
        image_inputs,
        image_outputs,
        input_output_pairs,
        progress,
    )
    from chroma.io import read_image, write_image
    from chroma.transfers.lut import apply_lut, read_cube

    pairs = input_output_pairs(args.image, args.output)
    check_paths(image_inputs(pairs, ("cube", args.cube)), image_outputs(pairs),
                overwrite=args.overwrite)
    lut = read_cube(args.cube)
    for src, dst in progress(pairs, desc="lut"):
        out = apply_lut(read_image(src), lut, method=args.interpolation)
        write_image(dst, out, overwrite=args.overwrite)
    if len(pairs) == 1:
        print(f"chroma lut: wrote {pairs[0][1]}")
    else:
        print(f"chroma lut: wrote {len(pairs)} images to {args.output}")
    return 0
