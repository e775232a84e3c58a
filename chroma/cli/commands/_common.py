"""Helpers shared by the subcommands: inputs, outputs, folders, streams, progress.

The conventions every command follows (``docs/cli.md``):

- ``-o/--output`` names what a command writes; ``--overwrite`` lets it replace
  existing files. Every input and output path, whatever option names it, goes
  through :func:`check_paths` before anything is read or computed: no output
  may be one of the inputs (same file through another name, a symbolic link or
  a hard link included, whatever ``--overwrite`` says), two outputs may not be
  the same file, existing outputs need ``--overwrite``, and every image output
  must have an extension chroma writes. A folder run checks all of its outputs
  before the first is written.
- Image inputs are files, folders, glob patterns (quoted, so that chroma expands
  them) or ``-`` for standard input; ``-o -`` writes the image to standard output
  in ``--format`` (default: the input's format). Messages then go to stderr, so
  stdout carries only the image.
- ``--quiet`` (anywhere on the line) silences progress bars and the ``wrote ...``
  lines; errors still print.

:func:`run_per_image` is the one runner of the per-image commands (transfer,
colorize, recolor, tone, splash, mask, stylize, run, lut apply).
"""

from __future__ import annotations

import argparse
import glob
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp"}
STREAM = "-"
GLOB_CHARS = set("*?[")
# --format of an image written to stdout -> the extension that picks the encoder
STREAM_FORMATS = {"png": ".png", "jpg": ".jpg", "jpeg": ".jpg", "tif": ".tif",
                  "tiff": ".tif", "bmp": ".bmp", "webp": ".webp"}
# leading bytes of the formats read_image decodes -> an extension that reads them
_MAGIC = ((b"\x89PNG", ".png"), (b"\xff\xd8\xff", ".jpg"), (b"II*\x00", ".tif"),
          (b"MM\x00*", ".tif"), (b"BM", ".bmp"), (b"GIF8", ".gif"), (b"P5", ".pgm"),
          (b"P6", ".ppm"))


def add_output(parser: argparse.ArgumentParser, *, required: bool = True,
               stream: bool = False, help: str | None = None) -> None:
    """Add ``-o/--output`` and ``--overwrite`` (and ``--format`` for streamed images)."""
    text = help or ("output file, or folder when there are several inputs or a folder"
                    + ("; '-' writes the image to stdout" if stream else ""))
    parser.add_argument("-o", "--output", required=required, metavar="OUT", help=text)
    parser.add_argument("--overwrite", action="store_true",
                        help="replace existing output files")
    if stream:
        parser.add_argument("--format", dest="stream_format", metavar="FMT", default=None,
                            choices=sorted(STREAM_FORMATS),
                            help="image format of '-o -' (default: the input's)")


def add_images(parser: argparse.ArgumentParser, *, name: str = "image",
               what: str = "input images") -> None:
    """The positional image inputs: files, folders, quoted globs or '-' (stdin)."""
    parser.add_argument(name, nargs="+", metavar=name.upper(),
                        help=f"{what}: files, folders, quoted glob patterns, or '-' "
                        "for stdin")


def add_deprecated_out(parser: argparse.ArgumentParser) -> None:
    """``--out``: the old name of ``-o/--output`` (demo, bench); it warns once."""
    parser.add_argument("--out", dest="deprecated_out", default=None,
                        help=argparse.SUPPRESS)


def output_option(args, command: str, default=None):
    """``-o`` or the deprecated ``--out`` (with a warning on stderr), else `default`."""
    old = getattr(args, "deprecated_out", None)
    if old is not None:
        if args.output is not None and args.output != old:
            raise ValueError("give -o/--output only (--out is its deprecated old name)")
        print(f"chroma {command}: warning: --out is deprecated; use -o/--output",
              file=sys.stderr)
        return old
    return args.output if args.output is not None else default


def say(args, line: str) -> None:
    """Print a ``wrote ...`` line unless ``--quiet``.

    To stderr when stdout carries data (an image of ``-o -``, a printed palette).
    """
    if getattr(args, "quiet", False):
        return
    print(line, file=sys.stderr if getattr(args, "stdout_data", False) else sys.stdout)


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


@dataclass
class Stdin:
    """An image read from standard input (held as bytes until decoded)."""

    data: bytes
    suffix: str
    name: str = "stdin"

    def __str__(self) -> str:
        return "<stdin>"


def _read_stdin() -> Stdin:
    data = sys.stdin.buffer.read()
    if not data:
        raise ValueError("'-': standard input is empty; pipe an image into it")
    for magic, suffix in _MAGIC:
        if data.startswith(magic):
            return Stdin(data, suffix)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return Stdin(data, ".webp")
    raise ValueError("'-': standard input is not a PNG, JPEG, TIFF, BMP, WebP, GIF or PPM "
                     f"image (it starts with {data[:8]!r})")


def expand_inputs(items: Sequence[str], option: str = "image") -> list:
    """Files, folders (their images), glob patterns (sorted matches) and '-' (stdin).

    Returns the paths in order, each file once; '-' gives a :class:`Stdin`.
    """
    out: list = []
    seen: set = set()
    for text in items:
        if text == STREAM:
            if len(items) > 1:
                raise ValueError(f"{option} '-' (stdin) must be the only input")
            return [_read_stdin()]
        p = Path(text)
        if p.is_dir():
            found = list_images(p)
        elif p.exists():
            found = [p]
        elif GLOB_CHARS & set(text):
            found = sorted(Path(q) for q in glob.glob(text, recursive=True)
                           if Path(q).suffix.lower() in IMAGE_SUFFIXES
                           and not Path(q).name.startswith("."))
            if not found:
                raise FileNotFoundError(f"{option}: the pattern {text!r} matches no image")
        else:
            raise FileNotFoundError(f"no such image file: {text!r}")
        for f in found:
            key = _identity(f)
            if key not in seen:
                seen.add(key)
                out.append(f)
    return out


def plan_outputs(items: Sequence[str], output: str, *, option: str = "image",
                 stream_format: str | None = None) -> list[tuple]:
    """Pair every input with its output path (checks nothing on disk but names).

    One input file (or stdin) gives the file `output` (inside it when `output` is
    an existing folder; ``-`` for stdout). Several inputs, a folder or a glob give a
    folder `output` (created by :func:`run_per_image` after the checks); each
    output keeps its input's file name, so two inputs of the same name are refused.
    """
    sources = expand_inputs(items, option)
    single = len(items) == 1 and (isinstance(sources[0], Stdin) or
                                  (Path(items[0]).is_file()))
    if output == STREAM:
        if not single:
            raise ValueError("-o - (stdout) takes a single input image")
        return [(sources[0], STREAM)]
    if stream_format is not None:
        raise ValueError("--format applies to -o - (stdout); a file's extension picks its "
                         "format")
    dst = Path(output)
    if single:
        src = sources[0]
        if isinstance(src, Stdin):
            if dst.is_dir():
                raise ValueError(f"-o {output!r} is a folder; an image read from stdin "
                                 "needs an output file name")
            return [(src, dst)]
        return [(src, dst / src.name if dst.is_dir() else dst)]
    if dst.exists() and not dst.is_dir():
        raise ValueError(f"{len(sources)} inputs (a folder, a pattern or several files) "
                         f"need a folder -o, but {output!r} is a file")
    pairs, names = [], {}
    for src in sources:
        if src.name in names:
            raise ValueError(f"inputs {str(names[src.name])!r} and {str(src)!r} would both be "
                             f"written to {str(dst / src.name)!r}; rename one")
        names[src.name] = src
        pairs.append((src, dst / src.name))
    return pairs


def _identity(path: Path) -> tuple:
    """What makes two names the same file: (device, inode) if it exists, else its real path."""
    real = os.path.realpath(path)  # "missing/../a.png" is a.png once missing/ is created
    try:
        st = os.stat(real)
    except (FileNotFoundError, NotADirectoryError):
        return ("path", os.path.normcase(real))
    return ("inode", st.st_dev, st.st_ino)


def _same_file(a: Path, b: Path) -> bool:
    return _identity(a) == _identity(b)


def check_paths(
    inputs: Sequence[tuple[str, object]],
    outputs: Sequence[tuple[str, object]],
    *,
    overwrite: bool,
) -> None:
    """Refuse, before any work, outputs that would destroy inputs or each other.

    Parameters
    ----------
    inputs, outputs : sequence of (option, path)
        Every file the command reads and writes, each with the option that
        names it (``"image"``, ``"--mask"``, ``"-o"``...); ``None`` paths
        (options not given), ``"-"`` and :class:`Stdin` (standard streams) are
        skipped. Folders are expanded by the caller.
    overwrite : bool
        ``--overwrite``: existing outputs may be replaced (never an input).

    Raises
    ------
    ValueError
        An output is the same file as an input (by name, symbolic link or
        hard link), or two outputs are the same file.
    FileExistsError
        An output exists and `overwrite` is False.

    Examples
    --------
    >>> check_paths([("image", "a.png")], [("-o", "a.png")], overwrite=True)
    Traceback (most recent call last):
    ...
    ValueError: -o 'a.png' would overwrite the input image 'a.png'; chroma never writes \
over its inputs, --overwrite or not: choose another output name
    """
    def real(path) -> bool:
        return path is not None and not isinstance(path, Stdin) and str(path) != STREAM

    seen: dict[tuple, tuple[str, str]] = {}
    for option, path in inputs:
        if real(path):
            seen.setdefault(_identity(Path(path)), (option, str(path)))
    written: dict[tuple, tuple[str, str]] = {}
    for option, path in outputs:
        if not real(path):
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


def check_image_suffix(option: str, path) -> None:
    """An image output's extension must be one that chroma writes (checked before work)."""
    from chroma.io import WRITE_EXTENSIONS

    if str(path) != STREAM and Path(path).suffix.lower() not in WRITE_EXTENSIONS:
        raise ValueError(f"{option} {str(path)!r}: chroma writes images as "
                         f"{', '.join(sorted(WRITE_EXTENSIONS))}; choose one of these "
                         "extensions")


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


def read_input(src):
    """Read an image from a path or a :class:`Stdin`."""
    import tempfile

    from chroma.io import read_image

    if not isinstance(src, Stdin):
        return read_image(src)
    with tempfile.TemporaryDirectory(prefix="chroma-stdin-") as tmp:
        path = Path(tmp) / f"stdin{src.suffix}"
        path.write_bytes(src.data)
        return read_image(path)


def stream_suffix(args, src) -> str:
    """The extension that encodes ``-o -``: ``--format``, else the input's format."""
    fmt = getattr(args, "stream_format", None)
    if fmt:
        return STREAM_FORMATS[fmt]
    suffix = src.suffix.lower()
    from chroma.io import WRITE_EXTENSIONS

    if suffix not in WRITE_EXTENSIONS:
        raise ValueError(f"-o -: chroma cannot write the input's format ({suffix}); "
                         "choose one with --format png")
    return suffix


def write_output(dst, image, *, overwrite: bool, suffix: str = ".png") -> None:
    """Write an image to a path, or to stdout (``-``) encoded as `suffix`."""
    import tempfile

    from chroma.io import check_writable, write_image

    if str(dst) != STREAM:
        write_image(dst, image, overwrite=overwrite)
        return
    check_writable(f"stdout{suffix}", image)
    with tempfile.TemporaryDirectory(prefix="chroma-stdout-") as tmp:
        path = Path(tmp) / f"stdout{suffix}"
        write_image(path, image)
        data = path.read_bytes()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


def run_per_image(
    args,
    command: str,
    pairs: list[tuple],
    make: Callable[[], Callable],
    *,
    inputs: Iterable[tuple[str, object]] = (),
    outputs: Iterable[tuple[str, object]] = (),
) -> int:
    """Check every path, then build the step and apply it to each input.

    Parameters
    ----------
    args : argparse.Namespace
        With ``output``, ``overwrite`` and ``quiet`` (and ``stream_format``).
    command : str
        The command's name, for messages and the progress bar.
    pairs : list of (input, output)
        From :func:`plan_outputs`.
    make : callable
        ``make()`` is called once after the checks (read references, fit) and
        returns ``fn(image, index)``, which returns the output image, or
        ``(image, extras)`` with ``extras`` a list of ``(option, path, value)``
        further outputs: an image array, or ``save(staged)`` for other files.
    inputs, outputs : iterable of (option, path)
        The other files the command reads (references, masks) and writes
        (``--lut-out``, ``--save-mask``); all are checked before any work.

    Returns
    -------
    int
        The exit status (0).
    """
    from chroma.io import check_writable

    inputs, outputs = list(inputs), list(outputs)
    check_paths([*(("image", src) for src, _ in pairs), *inputs],
                [*(("-o", dst) for _, dst in pairs), *outputs], overwrite=args.overwrite)
    for _, dst in pairs:
        check_image_suffix("-o", dst)
    stdout = any(str(dst) == STREAM for _, dst in pairs)
    args.stdout_data = stdout
    suffix = stream_suffix(args, pairs[0][0]) if stdout else ".png"
    for _, dst in pairs:  # a folder run's folder, created once every path is checked
        if str(dst) != STREAM:
            Path(dst).parent.mkdir(parents=True, exist_ok=True)
    fn = make()
    written_extra: list[str] = []
    for index, (src, dst) in enumerate(progress(pairs, desc=command,
                                                quiet=getattr(args, "quiet", False))):
        result = fn(read_input(src), index)
        out, extras = result if isinstance(result, tuple) else (result, [])
        staged = [(opt, path, check_writable(path, value) if not callable(value) else value)
                  for opt, path, value in extras]  # all checked before the first is written
        write_output(dst, out, overwrite=args.overwrite, suffix=suffix)
        for _, path, value in staged:
            if callable(value):
                write_atomic(path, value, overwrite=args.overwrite)
            else:
                write_output(path, value, overwrite=args.overwrite)
            written_extra.append(str(path))
    if len(pairs) == 1:
        where = f"<stdout> ({suffix[1:]})" if stdout else str(pairs[0][1])
        say(args, f"chroma {command}: wrote {where}")
    else:
        say(args, f"chroma {command}: wrote {len(pairs)} images to {args.output}")
    for path in written_extra:
        say(args, f"chroma {command}: wrote {path}")
    return 0


def progress(items: Iterable, *, desc: str, total: int | None = None,
             quiet: bool = False) -> Iterator:
    """A tqdm progress bar on stderr (silent for a single item or with `quiet`)."""
    items = list(items)
    if len(items) <= 1 or quiet:
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


def refuse_options(given: dict[str, object], fn: Callable, label: str) -> None:
    """Options given on the line that the method does not take: an error naming the option.

    `given` maps the command-line spelling (``"--strength"``) to its value
    (``None`` or ``False``: not given); `fn` is the method's function or class,
    whose parameters are the option names with ``-`` as ``_`` (``--seed`` is
    ``random_state``). Exit status 2, one line.

    Examples
    --------
    >>> def welsh(image, *, random_state=None): ...
    >>> refuse_options({"--seed": 1, "--strength": None}, welsh, "--method welsh")
    >>> refuse_options({"--strength": 0.5}, welsh, "--method welsh")
    Traceback (most recent call last):
    ...
    ValueError: --strength does not apply to --method welsh (it ignores it); drop the option
    """
    import inspect

    takes = set(inspect.signature(fn).parameters)
    for option, value in given.items():
        if value is None or value is False:
            continue
        name = "random_state" if option == "--seed" else option.lstrip("-").replace("-", "_")
        if name not in takes:
            raise ValueError(f"{option} does not apply to {label} (it ignores it); drop the "
                             "option")
