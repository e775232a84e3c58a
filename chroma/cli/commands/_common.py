"""Helpers shared by the subcommands: inputs, outputs, folders, progress.

Every command that writes files calls :func:`check_paths` with all of its input
and output paths, whatever options name them, before it reads or computes
anything: no output may be one of the inputs (same file through another name,
a symbolic link or a hard link included, whatever ``--overwrite`` says), two
outputs may not be the same file, and existing outputs need ``--overwrite``.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp"}


def add_output(parser: argparse.ArgumentParser, *, required: bool = True) -> None:
    """Add ``-o/--output`` and ``--overwrite``."""
    parser.add_argument("-o", "--output", required=required, metavar="OUT",
                        help="output file (or folder when the input is a folder)")
    parser.add_argument("--overwrite", action="store_true",
                        help="replace existing output files")


def list_images(folder: Path) -> list[Path]:
    """Image files directly inside ``folder``, sorted by name.

    Hidden files (a leading dot: temporary files of interrupted writes, macOS
    ``._*`` resource forks) are skipped.
    """
    files = sorted(p for p in folder.iterdir()
                   if p.suffix.lower() in IMAGE_SUFFIXES and not p.name.startswith("."))
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
        if _same_file(a, b):
            raise ValueError(
                f"-o {str(b)!r} would overwrite the input image {str(a)!r}; chroma never "
                "writes over its inputs, --overwrite or not: choose another output name")
    return pairs


def _identity(path: Path) -> tuple:
    """What makes two names the same file: (device, inode) if it exists, else its real path."""
    try:
        st = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return ("path", os.path.normcase(os.path.realpath(path)))
    return ("inode", st.st_dev, st.st_ino)


def _same_file(a: Path, b: Path) -> bool:
    return _identity(a) == _identity(b)


def check_paths(
    inputs: Sequence[tuple[str, str | os.PathLike | None]],
    outputs: Sequence[tuple[str, str | os.PathLike | None]],
    *,
    overwrite: bool,
) -> None:
    """Refuse, before any work, outputs that would destroy inputs or each other.

    Parameters
    ----------
    inputs, outputs : sequence of (option, path)
        Every file the command reads and writes, each with the option that
        names it (``"image"``, ``"--mask"``, ``"-o"``...); ``None`` paths
        (options not given) are skipped. Folders are expanded by the caller.
    overwrite : bool
        ``--overwrite``: existing outputs may be replaced (never an input).

    Raises
    ------
    ValueError
        An output is the same file as an input (by name, symbolic link or
        hard link), or two outputs are the same file.
    FileExistsError
        An output exists and `overwrite` is False.
    """
    seen: dict[tuple, tuple[str, str]] = {}
    for option, path in inputs:
        if path is not None:
            seen.setdefault(_identity(Path(path)), (option, str(path)))
    written: dict[tuple, tuple[str, str]] = {}
    for option, path in outputs:
        if path is None:
            continue
        key = _identity(Path(path))
        if key in seen:
            in_option, in_path = seen[key]
            same = "" if in_path == str(path) else f" (the same file as {in_path!r})"
            raise ValueError(
                f"{option} {str(path)!r} would overwrite the input {in_option} {in_path!r}"
                f"{same}; chroma never writes over its inputs, --overwrite or not: choose "
                "another output name"
            )
        if key in written:
            other_option, other_path = written[key]
            raise ValueError(
                f"{option} {str(path)!r} and {other_option} {other_path!r} are the same file; "
                "give each output its own name"
            )
        written[key] = (option, str(path))
        if not overwrite and os.path.lexists(path):
            raise FileExistsError(f"{str(path)!r} exists; pass --overwrite to replace it")


def write_atomic(path: str | os.PathLike, save, *, overwrite: bool) -> None:
    """Write a non-image output through :func:`chroma.io.atomic_path`.

    ``save(staged)`` writes the file (any library writer; `staged` keeps the
    extension of `path`, so writers that pick the format from it work). The
    result gets what ``write_image`` gives: an atomic ``overwrite=False``,
    the umask's mode (or the replaced file's), no temporary file left behind.
    """
    from chroma.io import atomic_path

    with atomic_path(path, overwrite=overwrite) as tmp:
        staged = tmp.with_name(tmp.name + Path(path).suffix)
        try:
            save(staged)
            os.replace(staged, tmp)
        finally:
            staged.unlink(missing_ok=True)


def image_inputs(pairs: Iterable[tuple[Path, Path]], *others: tuple) -> list:
    """``("image", path)`` for the input side of `pairs`, then `others` (for check_paths)."""
    return [*(("image", src) for src, _ in pairs), *others]


def image_outputs(pairs: Iterable[tuple[Path, Path]], *others: tuple) -> list:
    """``("-o", path)`` for the output side of `pairs`, then `others` (for check_paths)."""
    return [*(("-o", dst) for _, dst in pairs), *others]


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
