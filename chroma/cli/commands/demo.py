"""``chroma demo``: the showcase on the bundled samples."""

from __future__ import annotations


def register(sub) -> None:
    p = sub.add_parser(
        "demo",
        help="run the showcase on the bundled samples and write an index page",
        description="Run every feature on the bundled sample images; write before/after "
        "images and an index.html into a folder.",
    )
    p.add_argument("--out", default="demo-output", help="output folder (default: demo-output)")
    p.add_argument("--only", default=None, help="run only sections whose key contains this")
    p.set_defaults(func=run)


def run(args) -> int:
    from chroma.demo import run_demo

    index = run_demo(args.out, only=args.only)
    print(f"chroma demo: wrote {index}")
    return 0
