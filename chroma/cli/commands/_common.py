"""Helpers shared by the subcommands: inputs, outputs, folders, progress."""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Iterator
from pathlib import Path

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp"}


def add_output(parser: argparse.ArgumentParser, *, required: bool = True) -> None:
    """Add ``-o/--output`` and ``--overwrite``."""
    parser.add_argument("-o", "--output", required=required, metavar="OUT",
                        help="output file (or folder when the input is a folder)")
    parser.add_argument("--overwrite", action="store_true",
                        help="replace existing output files")


def list_images(folder: Path) -> list[Path]:
    """Image files directly inside ``folder``, sorted by name."""
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    if not files:
        raise FileNotFoundError(f"no image files in folder {str(folder)!r}")
    return files


def input_output_pairs(input_path: str, output: str) -> list[tuple[Path, Path]]:
    """Map an input file or folder to output paths.

    A folder input needs a folder output (created if missing); each output keeps
    its input's name. Refuses to write an output onto its own input.
    """
    src = Path(input_path)
    dst = Path(output)
    if src.is_dir():
        if dst.exists() and not dst.is_dir():
            raise ValueError(f"input {str(src)!r} is a folder, so --output must be a folder too")
        dst.mkdir(parents=True, exist_ok=True)
        pairs = [(p, dst / p.name) for p in list_images(src)]
    else:
        if not src.exists():
            raise FileNotFoundError(f"no such image file: {str(src)!r}")
        if dst.is_dir():
            dst = dst / src.name
        pairs = [(src, dst)]
    for a, b in pairs:
        if a.resolve() == b.resolve():
            raise ValueError(f"output {str(b)!r} is the input file; choose another --output")
    return pairs


def progress(items: Iterable, *, desc: str, total: int | None = None) -> Iterator:
    """A tqdm progress bar on stderr (silent for a single item)."""
    items = list(items)
    if len(items) <= 1:
        yield from items
        return
    from tqdm.auto import tqdm

    yield from tqdm(items, desc=desc, total=total or len(items), unit="img")


def parse_floats(text: str, n: int | None = None, *, name: str) -> list[float]:
    """Parse ``"a,b,c"`` (or ``a:b``) into floats, with a clear error."""
    parts = text.replace(":", ",").split(",")
    try:
        values = [float(p) for p in parts]
    except ValueError:
        raise ValueError(f"{name} expects comma-separated numbers, got {text!r}") from None
    if n is not None and len(values) != n:
        raise ValueError(f"{name} expects {n} numbers, got {text!r}")
    return values
