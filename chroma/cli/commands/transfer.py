"""``chroma transfer``: give an image (or a folder of images) a reference's colors."""

from __future__ import annotations

import argparse

from chroma.cli.commands._common import add_images, add_output

METHODS = ("histogram", "reinhard", "mkl", "idt", "sot", "palette")
OUT_OF_CORE = ("reinhard", "mkl", "palette", "idt", "sot")  # what tiling.apply_file takes
FILE_SUFFIXES = (".tif", ".tiff", ".npy")  # what it reads and writes


def register(sub) -> None:
    p = sub.add_parser(
        "transfer",
        help="give an image (or every image in a folder) the colors of a reference",
        description="Color transfer from a reference onto IMAGE: 'chroma transfer IMAGE "
        "REFERENCE -o OUT', or several inputs (files, folders, quoted globs) with "
        "'--reference REF -o FOLDER'; the reference is fitted once. '-' reads the image "
        "from stdin, '-o -' writes it to stdout. The output keeps each input's dtype "
        "(8/16-bit) and alpha. --lut-out also saves the grade as a .cube 3-D LUT for "
        "video editors and ffmpeg (-vf lut3d=grade.cube).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    add_images(p, what="input images, then the reference unless --reference is given")
    p.add_argument("--reference", dest="reference_option", metavar="REF", default=None,
                   help="reference image whose colors are taken (else the last IMAGE)")
    add_output(p, stream=True)
    p.add_argument("--method", choices=METHODS, default="reinhard", help="transfer method")
    p.add_argument("--space", default=None,
                   help="working color space (rgb, lab, lalphabeta, ...); default: the "
                   "method's own")
    p.add_argument("--mask", metavar="F", default=None,
                   help="mask image for IMAGE: recolor (and measure) only where it is white")
    p.add_argument("--reference-mask", metavar="F", default=None,
                   help="mask image for REFERENCE: take colors only from where it is white")
    p.add_argument("--strength", type=float, default=None, help="blend in [0, 1] (default 1)")
    p.add_argument("--keep-luminance", action="store_true",
                   help="keep the image's lightness; transfer only color")
    p.add_argument("--seed", type=int, default=None, help="random seed (idt, sot)")
    p.add_argument("--set", dest="options", action="append", default=[], metavar="KEY=VALUE",
                   help="other estimator parameter, e.g. --set n_iter=20 (repeatable)")
    p.add_argument("--lut-out", metavar="CUBE", default=None,
                   help="also write the grade as a 3-D LUT (.cube); for methods that depend "
                   "on the image's statistics it is the mapping of the (first) image")
    p.add_argument("--lut-size", type=int, default=33, help="grid points per axis of --lut-out")
    p.add_argument("--out-of-core", action="store_true",
                   help="for TIFF or .npy images larger than memory (--method " +
                   ", ".join(OUT_OF_CORE) + "): read and write band by band, with the "
                   "image statistics from a ~4 MP sample (chroma.tiling.apply_file); "
                   "TIFF output is tiled and zlib-compressed")
    p.set_defaults(func=run)


def _value(text: str):
    """'3' -> 3, '0.5' -> 0.5, 'true' -> True, 'none' -> None, else the string."""
    low = text.lower()
    if low in ("true", "false"):
        return low == "true"
    if low == "none":
        return None
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def parse_options(items: list[str]) -> dict:
    """``["a=1", "b=x"]`` -> ``{"a": 1, "b": "x"}`` with a clear error."""
    options = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip().isidentifier():
            raise ValueError(f"--set expects KEY=VALUE with a parameter name, got {item!r}")
        options[key.strip()] = _value(value.strip())
    return options


def read_mask(path: str, image):
    """A mask file as float32 (M, N) in [0, 1], checked against ``image``'s size."""
    try:
        from chroma.masks import from_file
    except ImportError:  # pragma: no cover - masks module not available
        from_file = None
    if from_file is not None:
        return from_file(path, shape=image.shape)
    import numpy as np

    from chroma.io import read_image

    m = read_image(path)
    scale = float(np.iinfo(m.dtype).max) if m.dtype.kind == "u" else 1.0
    m = m.astype(np.float32) / scale
    if m.ndim == 3:
        m = m[..., -1] if m.shape[-1] in (2, 4) else m[..., :3].mean(axis=-1)
    if m.shape[:2] != image.shape[:2]:
        raise ValueError(f"mask {path!r} is {m.shape[0]}x{m.shape[1]} but the image is "
                         f"{image.shape[0]}x{image.shape[1]}")
    return np.clip(m, 0.0, 1.0)


def split_reference(args) -> tuple[list[str], str]:
    """The inputs and the reference: ``--reference``, else the last positional."""
    images = list(args.image)
    if args.reference_option is not None:
        return images, args.reference_option
    if len(images) < 2:
        raise ValueError("no reference: give 'IMAGE REFERENCE' or --reference REF")
    return images[:-1], images[-1]


def run(args) -> int:
    from pathlib import Path

    from chroma.cli.commands._common import plan_outputs, refuse_options, run_per_image
    from chroma.compositing import apply_step
    from chroma.io import read_image
    from chroma.transfers import TRANSFERS, estimator
    from chroma.transfers.lut import write_cube

    images, reference = split_reference(args)
    if args.lut_out and not args.lut_out.lower().endswith(".cube"):
        raise ValueError(f"--lut-out must name a .cube file, got {args.lut_out!r}")
    refuse_options({"--space": args.space, "--strength": args.strength, "--seed": args.seed,
                    "--keep-luminance": args.keep_luminance},
                   TRANSFERS.load(args.method), f"--method {args.method}")
    options = parse_options(args.options)
    for key in ("space", "strength", "seed"):
        value = getattr(args, key)
        if value is not None:
            options["random_state" if key == "seed" else key] = value
    if args.keep_luminance:
        options["keep_luminance"] = True
    est = estimator(args.method, **options)  # option errors before any work
    if args.lut_out and not hasattr(est, "to_lut"):
        raise ValueError(f"--method {args.method} cannot export a LUT")
    if args.lut_size < 2:
        raise ValueError(f"--lut-size must be at least 2, got {args.lut_size}")
    if args.out_of_core:
        return _run_out_of_core(args, est, images, reference)
    pairs = plan_outputs(images, args.output, stream_format=args.stream_format)
    title = f"chroma {args.method} from {Path(reference).name}"

    def make():
        ref = read_image(reference)
        ref_mask = read_mask(args.reference_mask, ref) if args.reference_mask else None
        est.fit(ref, reference_mask=ref_mask)

        def apply(image, index):
            mask = read_mask(args.mask, image) if args.mask else None
            out = apply_step(est, image, mask=mask)
            if not (args.lut_out and index == 0):
                return out
            try:  # the LUT of the first image, written with it
                lut = est.to_lut(args.lut_size, image=image, region=mask)
            except ValueError as err:
                raise ValueError(f"--lut-size {args.lut_size}: {err}") from err
            return out, [("--lut-out", args.lut_out, lambda staged: write_cube(
                staged, lut, title=title, overwrite=True))]
        return apply

    return run_per_image(
        args, "transfer", pairs, make,
        inputs=[("reference", reference), ("--mask", args.mask),
                ("--reference-mask", args.reference_mask)],
        outputs=[("--lut-out", args.lut_out)],
    )


def _run_out_of_core(args, est, images: list[str], reference: str) -> int:
    """``--out-of-core``: each input file to its output with :func:`chroma.tiling.apply_file`."""
    from pathlib import Path

    from chroma.cli.commands._common import (
        STREAM,
        Stdin,
        check_paths,
        plan_outputs,
        progress,
        say,
    )
    from chroma.io import read_image
    from chroma.tiling import apply_file

    if args.method not in OUT_OF_CORE:
        raise ValueError(f"--out-of-core works with --method {', '.join(OUT_OF_CORE)}; "
                         f"got --method {args.method}")
    for option, value in (("--mask", args.mask), ("--lut-out", args.lut_out)):
        if value:
            raise ValueError(f"--out-of-core cannot be combined with {option}")
    pairs = plan_outputs(images, args.output)
    for src, dst in pairs:
        for option, path in (("image", src), ("-o", dst)):
            if isinstance(path, Stdin) or str(path) == STREAM:
                raise ValueError(f"--out-of-core reads and writes files, not {option} '-'")
            if Path(path).suffix.lower() not in FILE_SUFFIXES:
                raise ValueError(f"--out-of-core reads and writes {', '.join(FILE_SUFFIXES)} "
                                 f"files; {option} {str(path)!r} is not one")
    check_paths([*(("image", src) for src, _ in pairs), ("reference", reference),
                 ("--reference-mask", args.reference_mask)],
                [("-o", dst) for _, dst in pairs], overwrite=args.overwrite)
    ref = read_image(reference)
    ref_mask = read_mask(args.reference_mask, ref) if args.reference_mask else None
    est.fit(ref, reference_mask=ref_mask)
    for src, dst in progress(pairs, desc="transfer", quiet=args.quiet):
        Path(dst).parent.mkdir(parents=True, exist_ok=True)
        apply_file(est, src, dst, overwrite=args.overwrite)
    where = str(pairs[0][1]) if len(pairs) == 1 else f"{len(pairs)} images to {args.output}"
    say(args, f"chroma transfer: wrote {where} (out of core)")
    return 0
