"""``chroma info``: what an image file holds (shape, bit depth, alpha, range)."""

from __future__ import annotations


def register(sub) -> None:
    p = sub.add_parser("info", help="print an image's size, bit depth, channels and range",
                       description="One line per image: size, channels, dtype and range. "
                       "IMAGE: files, folders, quoted glob patterns or '-' (stdin).")
    p.add_argument("images", nargs="+", metavar="IMAGE")
    p.set_defaults(func=run)


def run(args) -> int:
    import numpy as np

    from chroma.cli.commands._common import expand_inputs, read_input

    for path in expand_inputs(args.images):
        img = read_input(path)
        channels = 1 if img.ndim == 2 else img.shape[2]
        kind = {1: "gray", 2: "gray+alpha", 3: "RGB", 4: "RGBA"}[channels]
        print(
            f"{path}: {img.shape[1]}x{img.shape[0]} {kind} {img.dtype} "
            f"range [{np.min(img)}, {np.max(img)}]"
        )
    return 0
