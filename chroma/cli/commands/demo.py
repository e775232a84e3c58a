"""``chroma demo``: the showcase on the bundled samples."""

from __future__ import annotations

from chroma.cli.commands._common import add_deprecated_out


def register(sub) -> None:
    p = sub.add_parser(
        "demo",
        help="run the showcase on the bundled samples and write an index page",
        description="Run every feature on the bundled sample images; write before/after "
        "images and an index.html into a folder.",
    )
    p.add_argument("-o", "--output", default=None, metavar="OUT",
                   help="output folder (default: demo-output); an existing non-empty "
                   "folder needs --overwrite")
    p.add_argument("--overwrite", action="store_true",
                   help="write into an existing non-empty folder (replacing the demo's files)")
    add_deprecated_out(p)
    p.add_argument("--only", default=None, help="run only sections whose key contains this")
    p.set_defaults(func=run)


def run(args) -> int:
    import contextlib
    import io
    from pathlib import Path

    from chroma.cli.commands._common import output_option, say

    out = Path(output_option(args, "demo", default="demo-output"))
    if out.exists() and not out.is_dir():
        raise ValueError(f"-o {str(out)!r} is a file; the demo writes a folder")
    if out.is_dir() and any(out.iterdir()) and not args.overwrite:
        raise FileExistsError(f"{str(out)!r} exists and is not empty; pass --overwrite to "
                              "write the demo into it, or choose another -o")
    from chroma.demo import run_demo

    quiet = contextlib.redirect_stderr(io.StringIO()) if args.quiet \
        else contextlib.nullcontext()
    with quiet:  # the section-by-section progress lines
        index = run_demo(out, only=args.only)
    say(args, f"chroma demo: wrote {index}")
    return 0
