"""``chroma colorize``: colorize gray photos (file or folder)."""

from __future__ import annotations

from chroma.cli.commands._common import add_output

METHODS = ("prior", "welsh", "scribble")


def register(sub) -> None:
    p = sub.add_parser(
        "colorize",
        help="colorize gray photos with the shipped CNN (or a reference / hints)",
        description="Colorize a gray photo (or every image in a folder). The default "
        "method is the shipped CNN prior (needs PyTorch); 'welsh' copies colors from "
        "--reference, 'scribble' propagates --hints. The output keeps the input's "
        "lightness, dtype and alpha.",
    )
    p.add_argument("image", help="input image file or folder")
    add_output(p)
    p.add_argument("--method", choices=METHODS, default="prior",
                   help="colorization method (default: prior)")
    p.add_argument("--vibrancy", type=float, default=None,
                   help="prior only: 0 (the mean color; the default) .. 0.99 (the most "
                   "likely color: vivid, patchy)")
    p.add_argument("--reference", metavar="REF", default=None,
                   help="color photo that guides the colors")
    p.add_argument("--hints", metavar="HINTS", default=None,
                   help="point hints: a JSON file or a scribble image")
    p.add_argument("--mask", metavar="M", default=None,
                   help="mask image: colorize only where it is white")
    p.add_argument("--strength", type=float, default=None,
                   help="prior only: blend of new and old colors in [0, 1] (default: 1)")
    p.add_argument("--prior-correction", type=float, default=None,
                   help="prior only: 1 = calibrated colors, 0 = Zhang's raw rebalanced "
                   "output (more saturated); default: the evaluated default")
    p.add_argument("--working-size", type=int, default=None,
                   help="prior only: short side at which the network runs (default: the "
                   "evaluated default, 112)")
    p.add_argument("--weights", default=None, help="prior only: other exported weights (.pt)")
    p.set_defaults(func=run)


def _read_mask(path: str):
    import numpy as np

    from chroma.io import read_image

    m = read_image(path)
    scale = float(np.iinfo(m.dtype).max) if m.dtype.kind == "u" else 1.0
    m = m.astype(np.float32) / scale
    if m.ndim == 3:
        m = m[..., :3].mean(axis=-1) if m.shape[-1] in (3, 4) else m[..., 0]
    return np.clip(m, 0.0, 1.0)


def run(args) -> int:
    from chroma.cli.commands._common import (
        check_paths,
        image_inputs,
        image_outputs,
        input_output_pairs,
        progress,
    )
    from chroma.colorization import colorize
    from chroma.io import read_image, write_image

    pairs = input_output_pairs(args.image, args.output)
    check_paths(
        image_inputs(pairs, ("--reference", args.reference), ("--mask", args.mask),
                     ("--hints", args.hints), ("--weights", args.weights)),
        image_outputs(pairs),
        overwrite=args.overwrite,
    )
    reference = read_image(args.reference) if args.reference else None
    mask = _read_mask(args.mask) if args.mask else None
    # only the options given: a method that does not take one refuses it by name
    given = {"vibrancy": args.vibrancy, "strength": args.strength,
             "prior_correction": args.prior_correction, "weights": args.weights,
             "working_size": args.working_size, "reference": reference, "hints": args.hints}
    kwargs = {k: v for k, v in given.items() if v is not None}
    for key in ("vibrancy", "strength", "prior_correction", "weights", "working_size"):
        if key in kwargs and args.method != "prior":
            raise ValueError(f"--{key.replace('_', '-')} applies to --method prior, "
                             f"not {args.method!r}")
    if args.method == "welsh" and reference is None:
        raise ValueError("--method welsh needs --reference REF")
    if args.method == "scribble" and args.hints is None:
        raise ValueError("--method scribble needs --hints HINTS")
    for src, dst in progress(pairs, desc="colorize"):
        image = read_image(src)
        out = colorize(image, method=args.method, mask=mask, **kwargs)
        write_image(dst, out, overwrite=args.overwrite)
    if len(pairs) == 1:
        print(f"chroma colorize: wrote {pairs[0][1]}")
    else:
        print(f"chroma colorize: wrote {len(pairs)} images to {args.output}")
    return 0
