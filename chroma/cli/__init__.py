"""The ``chroma`` command line: thin over the Python API.

Subcommands live in :mod:`chroma.cli.commands`, one module each, discovered at
start-up; a module registers its parser with ``register(subparsers)`` and sets
``func`` (``args -> int``). Modules import only argparse at import time, so
``chroma --help`` is fast.

Errors are one line on stderr and a non-zero exit: 2 for bad input (missing
or corrupt file, bad argument), 1 for anything unexpected; ``--debug`` shows
the traceback. ``--debug`` and ``--quiet`` are accepted anywhere on the line,
before or after the subcommand (see ``docs/cli.md`` for all the conventions).
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

from chroma import __version__

__all__ = ["build_parser", "main"]

USER_ERRORS = (ValueError, TypeError, OSError, ImportError, KeyError)


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors: ``chroma CMD: error: ...`` and exit status 2."""

    def error(self, message: str):
        message = " ".join(message.split())
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The ``chroma`` argument parser, with every subcommand of :mod:`chroma.cli.commands`.

    Examples
    --------
    >>> parser = build_parser()
    >>> args = parser.parse_args(["info", "data/coffee.png", "--quiet"])
    >>> args.command, args.quiet
    ('info', True)
    """
    from chroma.cli import commands

    parser = _Parser(
        prog="chroma",
        description="Color transfer, palettes, masks and colorization for images.",
    )
    parser.add_argument("--version", action="version", version=f"chroma {__version__}")
    _add_common_flags(parser, top=True)
    parser.add_argument("--max-pixels", type=int, default=None, metavar="N",
                        help="refuse images larger than N pixels (width x height) before "
                        "decoding; default 178956970, or the CHROMA_MAX_PIXELS variable")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        module.register(sub)
    for command in _leaf_parsers(parser):
        _add_common_flags(command, top=False)
    return parser


def _add_common_flags(parser: argparse.ArgumentParser, *, top: bool) -> None:
    """``--debug`` and ``--quiet`` on `parser`; a subcommand's do not reset the top level's.

    A subparser's defaults would overwrite what was parsed before the subcommand,
    so below the top level the flags default to ``SUPPRESS`` (set only when given).
    """
    default = False if top else argparse.SUPPRESS
    parser.add_argument("--debug", action="store_true", default=default,
                        help="show tracebacks on errors")
    parser.add_argument("--quiet", action="store_true", default=default,
                        help="no progress bars and no 'wrote ...' lines (errors still print)")


def _leaf_parsers(parser: argparse.ArgumentParser, seen: set | None = None):
    """Every subcommand parser below `parser` (``lut`` and ``lut apply`` included)."""
    seen = set() if seen is None else seen
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                if id(child) not in seen:
                    seen.add(id(child))
                    yield child
                    yield from _leaf_parsers(child, seen)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status.

    Examples
    --------
    >>> main(["--version"])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    SystemExit: 0
    >>> main(["info", "no-such-file.png"])  # one line on stderr, exit status 2
    2
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return 2
    previous = None
    try:
        if args.max_pixels is not None:
            from chroma.io import set_max_pixels

            previous = set_max_pixels(args.max_pixels)
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("chroma: interrupted", file=sys.stderr)
        return 130
    except Exception as err:
        if args.debug:
            raise
        message = " ".join(str(err).split()) or type(err).__name__
        if isinstance(err, USER_ERRORS):
            print(f"chroma {args.command}: error: {message}", file=sys.stderr)
            return 2
        print(
            f"chroma {args.command}: internal error ({type(err).__name__}): {message} "
            "(rerun with --debug for the traceback)",
            file=sys.stderr,
        )
        return 1
    finally:
        if args.max_pixels is not None:
            from chroma.io import set_max_pixels

            set_max_pixels(previous)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
