"""``chroma run``: apply a recipe (a saved Pipeline, TOML or JSON) to an image or a folder."""

from __future__ import annotations

from chroma.cli.commands._common import add_images, add_output


def register(sub) -> None:
    p = sub.add_parser(
        "run",
        help="apply a recipe (TOML/JSON pipeline of steps with masks) to images",
        description="Fit the recipe's steps once on their references, then apply the "
        "pipeline to IMAGE, or to several (files, folders, quoted globs; -o is then a "
        "folder), with a progress bar.",
    )
    p.add_argument("recipe", metavar="RECIPE", help="recipe file (.toml or .json)")
    add_images(p)
    add_output(p, stream=True)
    p.add_argument("--reference", metavar="REF", default=None,
                   help="reference image for steps whose recipe entry has none")
    p.set_defaults(func=run)


def _recipe_files(pipe) -> list:
    """``(option, path)`` of the references and mask files a loaded recipe names."""
    import os
    from pathlib import Path

    def resolve(p):
        p = Path(p)
        return p if p.is_absolute() or pipe.base_dir is None else pipe.base_dir / p

    files = []
    refs = [("recipe reference", pipe.reference)]
    for step in pipe.steps:
        refs.append((f"reference of step {step.name!r}", step.reference))
        if isinstance(step.mask, dict) and step.mask.get("file"):
            refs.append((f"mask file of step {step.name!r}", step.mask["file"]))
    for option, ref in refs:
        if isinstance(ref, (str, os.PathLike)):
            files.append((option, resolve(ref)))
    return files


def run(args) -> int:
    from chroma.cli.commands._common import plan_outputs, run_per_image
    from chroma.io import read_image
    from chroma.pipeline import Pipeline

    pipe = Pipeline.load(args.recipe)
    pairs = plan_outputs(args.image, args.output, stream_format=args.stream_format)

    def make():
        pipe.fit(read_image(args.reference) if args.reference else None)
        return lambda image, index: pipe.transform(image)

    return run_per_image(
        args, "run", pairs, make,
        inputs=[("recipe", args.recipe), ("--reference", args.reference),
                *_recipe_files(pipe)],
    )
