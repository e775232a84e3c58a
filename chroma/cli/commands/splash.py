"""``chroma splash``: keep one color (or a masked region) in color, the rest gray or toned."""

from __future__ import annotations

from chroma.cli.commands._common import add_output
from chroma.cli.commands.mask import add_mask_arguments


def register(sub) -> None:
    p = sub.add_parser(
        "splash",
        help="color splash: keep the colors inside a mask, turn the rest gray (or sepia)",
        description="Partial colorization: colors inside the mask are kept, the rest is "
        "desaturated (or toned) at unchanged lightness. IMAGE may be a folder (then -o is "
        "a folder too).",
        epilog="examples: chroma splash rocket.png -o out.png --hue 40:30 --feather 2 | "
        "chroma splash photo.jpg -o out.jpg --pick 120,80 --refine --background sepia",
    )
    p.add_argument("image", metavar="IMAGE", help="input image or folder")
    add_output(p)
    add_mask_arguments(p)
    p.add_argument("--background", default="gray", metavar="TONE",
                   help="gray (default), sepia, cyanotype, or a #RRGGBB color to tint with")
    p.add_argument("--strength", type=float, default=1.0,
                   help="how far the background goes to gray/the tone, 0..1 (default 1)")
    p.add_argument("--save-mask", metavar="FILE", default=None,
                   help="also write the mask used (8-bit gray PNG; single image only)")
    p.set_defaults(func=run)


def run(args) -> int:
    import numpy as np

    from chroma.cli.commands._common import (
        check_paths,
        image_inputs,
        image_outputs,
        input_output_pairs,
        progress,
    )
    from chroma.cli.commands.mask import build_mask, mask_spec
    from chroma.compositing import splash
    from chroma.io import check_writable, read_image, write_image

    mask_spec(args)  # argument errors before any work
    pairs = input_output_pairs(args.image, args.output)
    if args.save_mask and len(pairs) > 1:
        raise ValueError("--save-mask works with a single image, not a folder")
    check_paths(image_inputs(pairs, ("--mask", args.mask_file)),
                image_outputs(pairs, ("--save-mask", args.save_mask)),
                overwrite=args.overwrite)
    for src, dst in progress(pairs, desc="splash"):
        image = read_image(src)
        mask = build_mask(args, image)
        out = splash(image, mask, background=args.background, strength=args.strength)
        saved = np.rint(mask * 255).astype(np.uint8) if args.save_mask else None
        if args.save_mask:  # both outputs checked before either is written
            check_writable(args.save_mask, saved)
        write_image(dst, out, overwrite=args.overwrite)
        if args.save_mask:
            write_image(args.save_mask, saved, overwrite=args.overwrite)
    if len(pairs) == 1:
        print(f"chroma splash: wrote {pairs[0][1]}")
    else:
        print(f"chroma splash: wrote {len(pairs)} images to {args.output}")
    return 0
