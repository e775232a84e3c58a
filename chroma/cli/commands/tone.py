"""``chroma tone``: sepia, duotone and gradient-map toning."""

from __future__ import annotations

import argparse

from chroma.cli.commands._common import add_images, add_output


def register(sub) -> None:
    p = sub.add_parser(
        "tone",
        help="tone an image: sepia, duotone or a gradient map through colors",
        description="Tone IMAGE (a file or a folder) by its lightness: --sepia keeps "
        "lightness and adds a warm tint; --duotone C1,C2 and --colors C1,C2,... map dark to "
        "light through the colors (hex codes, sorted by lightness), so lightness order is "
        "kept. Several inputs (files, folders, quoted globs) need a folder -o; '-' reads "
        "stdin, '-o -' writes stdout.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    add_images(p)
    mode = p.add_mutually_exclusive_group(required=True)
    mode.add_argument("--sepia", action="store_true", help="sepia toning")
    mode.add_argument("--duotone", metavar="C1,C2", help="two hex colors, e.g. 1b2a6b,f6d28a")
    mode.add_argument("--colors", metavar="C1,C2,...",
                      help="gradient map through two or more hex colors")
    add_output(p, stream=True)
    p.add_argument("--strength", type=float, default=1.0, help="blend in [0, 1]")
    p.set_defaults(func=run)


def _hex_list(text: str, option: str) -> list[str]:
    codes = [c.strip() for c in text.split(",") if c.strip()]
    if not codes:
        raise ValueError(f"{option} expects comma-separated hex colors, got {text!r}")
    return [c if c.startswith("#") else f"#{c}" for c in codes]


def run(args) -> int:
    from chroma.cli.commands._common import plan_outputs, run_per_image
    from chroma.toning import ToneStep, tone

    if args.sepia:
        mode, colors = "sepia", None
    elif args.duotone is not None:
        mode, colors = "duotone", _hex_list(args.duotone, "--duotone")
    else:
        mode, colors = "gradient", _hex_list(args.colors, "--colors")
    ToneStep(mode, colors=colors).fit()  # check the colors before reading anything
    pairs = plan_outputs(args.image, args.output, stream_format=args.stream_format)
    return run_per_image(args, "tone", pairs, lambda: lambda img, index: tone(
        img, mode=mode, colors=colors, strength=args.strength))
