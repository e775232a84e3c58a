"""``chroma warmup``: compile the kernels of the common calls once, after installing."""

from __future__ import annotations

from chroma._core.warmup import DTYPES, METHODS


def register(sub) -> None:
    p = sub.add_parser(
        "warmup",
        help="compile chroma's kernels once, so that the first real call loads them",
        description="Compile (or load from the cache) the kernels behind 'chroma transfer' "
        "and the color conversions, on small synthetic images: the first call in a fresh "
        "environment then loads instead of compiling. Run it once after installing; a "
        "second run only loads. Numba caches beside the package, or in a per-user folder "
        "(~/.cache/numba, or NUMBA_CACHE_DIR) when the package folder is read-only.",
    )
    p.add_argument("--methods", nargs="+", choices=METHODS, default=list(METHODS),
                   metavar="METHOD",
                   help=f"transfer methods (default: all of {', '.join(METHODS)})")
    p.add_argument("--dtypes", nargs="+", choices=("uint8", "uint16", "float32", "float64"),
                   default=list(DTYPES), metavar="DTYPE",
                   help=f"input dtypes (default: {' '.join(DTYPES)})")
    p.set_defaults(func=run)


def run(args) -> int:
    from chroma._core.warmup import warmup
    from chroma.cli.commands._common import say

    seconds = warmup(args.methods, args.dtypes, progress=not args.quiet)
    slowest = max(seconds, key=seconds.get)
    say(args, f"chroma warmup: {len(seconds)} steps in {sum(seconds.values()):.1f} s "
              f"(slowest: {slowest}, {seconds[slowest]:.1f} s)")
    return 0
