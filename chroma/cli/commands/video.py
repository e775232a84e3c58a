"""``chroma video``: grade (or colorize) a clip or a folder of frames without flicker."""

from __future__ import annotations

import argparse

from chroma.cli.commands.transfer import METHODS


def register(sub) -> None:
    p = sub.add_parser(
        "video",
        help="give a video (or a folder of frames) a reference's colors, flicker-free",
        description="Grade IN (a video file or a folder of frames) with the colors of "
        "--reference and write OUT (a video file: .mp4 .mov .mkv .avi .webm, or a folder "
        "of PNG frames). --mode fixed fits once and applies one 3-D LUT to every frame; "
        "smoothed averages per-frame operators over --window frames. --method colorize "
        "colorizes each frame and low-passes a*b* over --window frames. A video file's "
        "audio is copied untouched. Needs PyAV for video files: pip install 'chroma[video]'.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument("input", metavar="IN", help="video file or folder of frames")
    p.add_argument("positional_output", metavar="OUT", nargs="?", default=None,
                   help="video file or folder (or give it as -o OUT)")
    p.add_argument("-o", "--output", metavar="OUT", default=None,
                   help="video file or folder (the same as the positional OUT)")
    p.add_argument("--reference", metavar="REF", default=None,
                   help="reference image (required except for --method colorize)")
    p.add_argument("--method", choices=(*METHODS, "colorize"), default="reinhard",
                   help="transfer method, or colorize")
    p.add_argument("--mode", choices=("fixed", "smoothed"), default=None,
                   help="fixed (one operator) or smoothed (centred window); default: fixed, "
                   "smoothed for colorize")
    p.add_argument("--window", type=int, default=15, help="frames in the smoothing window")
    p.add_argument("--sample", type=int, default=8,
                   help="frames whose statistics a fixed operator is fitted on")
    p.add_argument("--lut-size", type=int, default=33, help="grid points per axis of the LUT")
    p.add_argument("--fps", type=float, default=None,
                   help="frame rate of an output video (default: the input's, else 25)")
    p.add_argument("--overwrite", action="store_true",
                   help="replace an existing output (file, or a folder that holds files)")
    p.add_argument("--seed", type=int, default=None,
                   help="random seed of a random method (idt, sot), passed as random_state")
    p.add_argument("--set", dest="options", action="append", default=[], metavar="KEY=VALUE",
                   help="method parameter, e.g. --set space=lab (repeatable)")
    p.set_defaults(func=run)


def run(args) -> int:
    from pathlib import Path

    from chroma.cli.commands._common import check_paths, refuse_options, say
    from chroma.cli.commands.transfer import parse_options
    from chroma.video import transfer

    if args.output is not None and args.positional_output is not None:
        raise ValueError("give the output once: OUT or -o OUT")
    output = args.output if args.output is not None else args.positional_output
    if output is None:
        raise ValueError("no output: give OUT or -o OUT")
    options = parse_options(args.options)
    if args.seed is not None:
        if args.method == "colorize":
            raise ValueError("--seed does not apply to --method colorize (it ignores it); "
                             "drop the option")
        from chroma.transfers import TRANSFERS

        refuse_options({"--seed": args.seed}, TRANSFERS.load(args.method),
                       f"--method {args.method}")
        options["random_state"] = args.seed
    if args.method != "colorize" and args.reference is None:
        raise ValueError(f"--method {args.method} needs --reference REF")
    for name in ("window", "sample", "lut_size"):
        if getattr(args, name) < (2 if name == "lut_size" else 1):
            raise ValueError(f"--{name.replace('_', '-')} must be a positive number, "
                             f"got {getattr(args, name)}")
    if args.fps is not None and not args.fps > 0:
        raise ValueError(f"--fps must be positive, got {args.fps}")
    out = Path(output)
    check_paths([("IN", args.input), ("--reference", args.reference)], [("OUT", out)],
                overwrite=True)  # an output that is an input: refused, --overwrite or not
    if out.is_dir():
        if any(out.iterdir()) and not args.overwrite:
            raise FileExistsError(f"{output!r} is a folder that holds files; pass "
                                  "--overwrite to write the frames into it")
    elif out.exists() and not args.overwrite:
        raise FileExistsError(f"{output!r} exists; pass --overwrite to replace it")
    if not Path(args.input).exists():
        raise FileNotFoundError(f"no such video file or folder: {args.input!r}")
    mode = args.mode or ("smoothed" if args.method == "colorize" else "fixed")
    n = transfer(args.input, args.reference, mode=mode, window=args.window,
                 method=args.method, out=output, sample=args.sample,
                 lut_size=args.lut_size, fps=args.fps, overwrite=args.overwrite,
                 progress=not args.quiet, **options)
    say(args, f"chroma video: wrote {n} frames to {output}")
    return 0
