"""``chroma bench``: speed, memory and quality against the peer tools."""

from __future__ import annotations

from chroma.cli.commands._common import add_deprecated_out

QUICK_SIZES = (0.25,)
QUICK_REPEATS = 3
DEFAULT_PAIRS = 6
QUICK_BUDGET_S = 2.0


def register(sub) -> None:
    p = sub.add_parser(
        "bench",
        help="benchmark chroma against peer tools and write a Markdown report",
        description="Run the benchmark cases shipped in chroma.bench.cases: "
        "every contender on the same inputs, interleaved, warm-up first; writes report.md, "
        "results.json and figures. Peers come with: "
        "pip install -c constraints.txt 'chroma-image[bench]'.",
    )
    p.add_argument("--quick", action="store_true",
                   help=f"small inputs ({', '.join(map(str, QUICK_SIZES))} MP) and "
                   f"{QUICK_REPEATS} repeats: a smoke run in about a minute")
    p.add_argument("--only", metavar="PATTERN", default=None,
                   help="run only cases whose '<module>: <task>' contains PATTERN "
                   "(case-insensitive; a glob if it has * ? [)")
    p.add_argument("-o", "--output", metavar="DIR", default=None,
                   help="output folder (default: benchmarks/results in a source checkout, "
                   "else ./chroma-bench; a quick/ subfolder with --quick); an existing "
                   "report.md there needs --overwrite")
    p.add_argument("--overwrite", action="store_true",
                   help="replace the report, results and figures of an earlier run")
    add_deprecated_out(p)
    p.add_argument("--images", metavar="DIR", default=None,
                   help="folder of your own photos to benchmark on (the Pitié pair names "
                   "are looked for there, other photos make the quality pairs); default: "
                   "the evaluation photos beside a source checkout, else the bundled samples")
    p.add_argument("--sizes", metavar="MP", default=None,
                   help="comma-separated megapixels overriding every case's sizes, e.g. 1,12")
    p.add_argument("--repeats", type=int, default=None,
                   help="timed calls per contender and size (overrides the cases')")
    p.add_argument("--pairs", type=int, default=None,
                   help="also average each case's quality metrics over this many further "
                   f"image pairs at 0.25 MP (default: {DEFAULT_PAIRS}, 0 with --quick)")
    p.add_argument("--budget", type=float, default=None, metavar="SECONDS",
                   help="seconds of timed calls per contender and size; slower contenders "
                   f"get fewer calls (default: none, {QUICK_BUDGET_S:g} with --quick)")
    p.add_argument("--list", action="store_true", help="list the cases and exit")
    p.set_defaults(func=run)


def run(args) -> int:
    import os
    import shlex
    import sys
    from pathlib import Path

    from chroma.bench import harness, report
    from chroma.cli.commands._common import output_option, parse_floats, say

    out_option = output_option(args, "bench")

    if args.images is not None:
        folder = Path(args.images)
        if not folder.is_dir():
            raise FileNotFoundError(f"--images: no such folder {str(folder)!r}")
        os.environ["CHROMA_EVAL_DIR"] = str(folder)
    sizes = None
    if args.sizes:
        sizes = parse_floats(args.sizes, name="--sizes")
        if min(sizes) <= 0:
            raise ValueError(f"--sizes must be positive megapixels, got {args.sizes!r}")
    elif args.quick:
        sizes = QUICK_SIZES
    repeats = args.repeats or (QUICK_REPEATS if args.quick else None)
    if repeats is not None and repeats < 1:
        raise ValueError(f"--repeats must be >= 1, got {repeats}")
    pairs = args.pairs if args.pairs is not None else (0 if args.quick else DEFAULT_PAIRS)
    if pairs < 0:
        raise ValueError(f"--pairs must be >= 0, got {pairs}")
    budget = args.budget if args.budget is not None else (
        QUICK_BUDGET_S if args.quick else None)
    if budget is not None and budget <= 0:
        raise ValueError(f"--budget must be > 0 seconds, got {budget}")
    if not args.list:
        default_out = (Path("chroma-bench") if harness.REPO_ROOT is None
                       else harness.REPO_ROOT / "benchmarks" / "results")
        out = Path(out_option) if out_option else default_out / ("quick" if args.quick else "")
        if out.exists() and not out.is_dir():
            raise ValueError(f"-o {str(out)!r} is a file; the benchmark writes a folder")
        existing = [n for n in ("report.md", "results.json") if (out / n).exists()]
        if existing and not args.overwrite:
            raise FileExistsError(f"{str(out / existing[0])!r} exists; pass --overwrite to "
                                  "replace the earlier run, or choose another -o")
    cases, errors = harness.load_cases(args.only)
    if args.list:
        for case in cases:
            sizes_text = ", ".join(f"{s:g}" for s in (sizes or case.sizes_mp))
            print(f"{case.key}  [{sizes_text} MP; {', '.join(case.contenders)}]")
        for module, err in errors.items():
            print(f"{module}: failed to load: {err}", file=sys.stderr)
        return 0
    if not cases:
        raise ValueError(
            f"no benchmark case matches --only {args.only!r}; see chroma bench --list"
            if args.only else "no benchmark cases found in chroma/bench/cases/"
        )
    parts = ["chroma", "bench"] + (["--quick"] if args.quick else [])
    for flag, value in (("--only", args.only), ("--sizes", args.sizes),
                        ("--repeats", args.repeats), ("--pairs", args.pairs),
                        ("--budget", args.budget),
                        ("-o", out_option)):
        if value is not None:
            parts += [flag, str(value)]
    command = " ".join(shlex.quote(p) for p in parts)

    def log(line: str) -> None:
        if not args.quiet:
            print(line, file=sys.stderr, flush=True)

    # say which photos are timed: without the eval photos the bundled samples stand in
    log("chroma bench: timing inputs: " + harness.base_pair()[2])
    results, thumbs = harness.run_cases(
        cases, sizes=sizes, repeats=repeats, log=log, load_errors=errors, command=command,
        pairs=pairs, quick=args.quick, budget_s=budget,
    )
    path = report.write_report(results, thumbs, out)
    say(args, f"chroma bench: wrote {path}")
    return 0
