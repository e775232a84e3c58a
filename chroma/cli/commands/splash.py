"""``chroma splash``: keep one color (or a masked region) in color, the rest gray or toned."""

from __future__ import annotations

from chroma.cli.commands._common import add_images, add_output
from chroma.cli.commands.mask import add_mask_arguments


def register(sub) -> None:
    p = sub.add_parser(
        "splash",
        help="color splash: keep the colors inside a mask, turn the rest gray (or sepia)",
        description="Partial colorization: colors inside the mask are kept, the rest is "
        "desaturated (or toned) at unchanged lightness. IMAGE may be several files, "
        "folders or quoted globs (then -o is a folder), or '-' for stdin ('-o -' for "
        "stdout).",
        epilog="examples: chroma splash rocket.png -o out.png --hue 40:30 --feather 2 | "
        "chroma splash photo.jpg -o out.jpg --pick 120,80 --refine --background sepia",
    )
    add_images(p)
    add_output(p, stream=True)
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

    from chroma.cli.commands._common import check_image_suffix, plan_outputs, run_per_image
    from chroma.cli.commands.mask import build_mask, mask_spec
    from chroma.compositing import splash

    mask_spec(args)  # argument errors before any work
    pairs = plan_outputs(args.image, args.output, stream_format=args.stream_format)
    if args.save_mask and len(pairs) > 1:
        raise ValueError("--save-mask works with a single image, not a folder")
    if args.save_mask:
        check_image_suffix("--save-mask", args.save_mask)

    def apply(image, index):
        mask = build_mask(args, image)
        out = splash(image, mask, background=args.background, strength=args.strength)
        if not args.save_mask:
            return out
        return out, [("--save-mask", args.save_mask, np.rint(mask * 255).astype(np.uint8))]

    return run_per_image(args, "splash", pairs, lambda: apply,
                         inputs=[("--mask", args.mask_file)],
                         outputs=[("--save-mask", args.save_mask)])
