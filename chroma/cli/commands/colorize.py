"""``chroma colorize``: colorize gray photos (file or folder)."""

from __future__ import annotations

from chroma.cli.commands._common import add_images, add_output

METHODS = ("prior", "welsh", "scribble")


def register(sub) -> None:
    p = sub.add_parser(
        "colorize",
        help="colorize gray photos with the shipped CNN (or a reference / hints)",
        description="Colorize a gray photo (or every image in a folder). The default "
        "method is the shipped CNN prior (needs PyTorch); 'welsh' copies colors from "
        "--reference, 'scribble' propagates --hints. The output keeps the input's "
        "lightness, dtype and alpha. Several inputs (files, folders, quoted globs) need "
        "a folder -o; '-' reads stdin, '-o -' writes stdout. An option the method does "
        "not take is an error naming it.",
    )
    add_images(p, what="gray input images")
    add_output(p, stream=True)
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
    p.add_argument("--seed", type=int, default=None,
                   help="welsh only: random seed of the reference sampling (equal seeds, "
                   "equal outputs; without it every run draws afresh)")
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
    from chroma.cli.commands._common import plan_outputs, refuse_options, run_per_image
    from chroma.colorization import COLORIZERS, colorize
    from chroma.io import read_image

    refuse_options({"--vibrancy": args.vibrancy, "--strength": args.strength,
                    "--prior-correction": args.prior_correction, "--weights": args.weights,
                    "--working-size": args.working_size, "--reference": args.reference,
                    "--hints": args.hints, "--seed": args.seed},
                   COLORIZERS.load(args.method), f"--method {args.method}")
    if args.method == "welsh" and args.reference is None:
        raise ValueError("--method welsh needs --reference REF")
    if args.method == "scribble" and args.hints is None:
        raise ValueError("--method scribble needs --hints HINTS")
    pairs = plan_outputs(args.image, args.output, stream_format=args.stream_format)

    def make():
        reference = read_image(args.reference) if args.reference else None
        mask = _read_mask(args.mask) if args.mask else None
        # only the options given (each one checked above against the method)
        given = {"vibrancy": args.vibrancy, "strength": args.strength,
                 "prior_correction": args.prior_correction, "weights": args.weights,
                 "working_size": args.working_size, "reference": reference,
                 "hints": args.hints, "random_state": args.seed}
        kwargs = {k: v for k, v in given.items() if v is not None}
        return lambda image, index: colorize(image, method=args.method, mask=mask, **kwargs)

    return run_per_image(
        args, "colorize", pairs, make,
        inputs=[("--reference", args.reference), ("--mask", args.mask),
                ("--hints", args.hints), ("--weights", args.weights)],
    )
