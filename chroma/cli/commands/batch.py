"""``chroma batch``: apply a recipe or a transfer method to many files, in parallel.

Thin over :func:`chroma.batch.apply`. Exit status: 0 when every input succeeded
(or was skipped because its output exists), 1 when some failed (they are listed),
2 for bad usage.
"""

from __future__ import annotations

import argparse

from chroma.cli.commands.transfer import METHODS


def register(sub) -> None:
    p = sub.add_parser(
        "batch",
        help="apply a recipe or a transfer method to many images (process pool or Dask)",
        description="Fit RECIPE_OR_METHOD once (a recipe file, or a transfer method "
        "fitted on --reference), then apply it to every input (files, folders, glob "
        "patterns) and write each result into the folder OUT under its input's name. "
        "Existing outputs are skipped unless --overwrite, so an interrupted run resumes; "
        "a failing input is reported and the others complete.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument("step", metavar="RECIPE_OR_METHOD",
                   help=f"recipe file (.toml/.json) or a transfer method: {', '.join(METHODS)}")
    p.add_argument("inputs", metavar="INPUTS", nargs="+",
                   help="image files, folders or quoted glob patterns")
    p.add_argument("-o", "--output", required=True, metavar="OUT", help="output folder")
    p.add_argument("--reference", metavar="REF", default=None,
                   help="reference image (required for a method; for a recipe, the "
                   "reference of steps that have none)")
    p.add_argument("--scheduler", default="processes", metavar="SCHED",
                   help="sync, threads, processes, or a Dask scheduler address "
                   "(tcp://host:8786)")
    p.add_argument("--workers", type=int, default=None, metavar="N",
                   help="pool size for threads/processes (default: the cores)")
    p.add_argument("--overwrite", action="store_true", help="replace existing outputs")
    p.add_argument("--set", dest="options", action="append", default=[], metavar="KEY=VALUE",
                   help="method parameter, e.g. --set space=lab (repeatable; methods only)")
    p.add_argument("--seed", type=int, default=None,
                   help="random seed of a random method (idt, sot), passed as random_state")
    p.set_defaults(func=run)


def run(args) -> int:
    import sys
    from pathlib import Path

    from chroma.batch import apply
    from chroma.cli.commands._common import refuse_options, say
    from chroma.cli.commands.transfer import parse_options

    step = args.step
    if step in METHODS:
        if args.reference is None:
            raise ValueError(f"method {step!r} needs --reference REF")
        from chroma.transfers import TRANSFERS, estimator

        options = parse_options(args.options)
        refuse_options({"--seed": args.seed}, TRANSFERS.load(step), f"method {step!r}")
        if args.seed is not None:
            options["random_state"] = args.seed
        step = estimator(step, **options)
    elif args.seed is not None:
        raise ValueError("--seed applies to a method; put a recipe's seeds in the recipe")
    elif Path(step).suffix.lower() not in (".toml", ".json"):
        raise ValueError(f"RECIPE_OR_METHOD must be a .toml/.json recipe or one of "
                         f"{', '.join(METHODS)}; got {args.step!r}")
    elif args.options:
        raise ValueError("--set applies to a method; put a recipe's options in the recipe")
    if args.workers is not None and args.workers < 1:
        raise ValueError(f"--workers must be >= 1, got {args.workers}")
    scheduler = args.scheduler
    if scheduler not in ("sync", "threads", "processes") and "://" not in scheduler:
        raise ValueError(f"--scheduler must be sync, threads, processes or a Dask address "
                         f"such as tcp://host:8786; got {scheduler!r}")
    result = apply(args.inputs, step, args.output, scheduler=scheduler,
                   overwrite=args.overwrite, progress=not args.quiet,
                   reference=args.reference, workers=args.workers)
    if result.ok:
        say(args, str(result))
    else:  # failures are errors: the summary prints even with --quiet
        print(result)
    for rec in result.failures:
        print(f"  failed: {rec.path}: {rec.error}", file=sys.stderr)
    return 0 if result.ok else 1
