"""Registries: one per family (transfers, colorization methods, blend modes, tones).

A :class:`Registry` maps a public name to ``"module:attribute"`` and imports the
target only when it is first used, so listing the names costs nothing. Building
an entry is strict: an option the chosen entry does not take is a ``TypeError``
that names it, never silently ignored.

Examples
--------
>>> reg = Registry("example", {"sum": "builtins:sum"})
>>> reg.names()
['sum']
>>> reg.load("sum") is sum
True
>>> reg.load("mean")
Traceback (most recent call last):
...
ValueError: method='mean' is not a example method; choose from ['sum'].
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Iterator, Mapping
from typing import Any

__all__ = ["Registry", "check_options", "import_target"]


def import_target(target: str) -> Any:
    """Import ``"package.module:Name"`` (dots after the colon walk attributes)."""
    module, sep, qual = target.partition(":")
    if not sep or not module or not qual:
        raise ValueError(f"{target!r} is not of the form 'package.module:Name'.")
    obj = importlib.import_module(module)
    for part in qual.split("."):
        obj = getattr(obj, part)
    return obj


def _parameters(fn: Callable) -> tuple[set[str], bool]:
    """Keyword names `fn` (a class: its ``__init__``) accepts, and whether it takes ``**``."""
    target = fn.__init__ if inspect.isclass(fn) else fn
    sig = inspect.signature(target)
    names, var_kw = set(), False
    for p in sig.parameters.values():
        if p.kind is p.VAR_KEYWORD:
            var_kw = True
        elif p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and p.name != "self":
            names.add(p.name)
    return names, var_kw


def check_options(fn: Callable, options: Mapping[str, Any], *, label: str,
                  reserved: tuple[str, ...] = ()) -> None:
    """Refuse options that `fn` (a function or a class) does not take.

    Parameters
    ----------
    fn : callable
        The function, or the class whose ``__init__`` gets the options.
    options : mapping
        The options given.
    label : str
        How to call the entry in the message, e.g. ``"method='welsh'"``.
    reserved : tuple of str
        Names handled by the caller that `fn` need not take.

    Examples
    --------
    >>> def f(a, *, b=1): ...
    >>> check_options(f, {"b": 2}, label="method='f'")
    >>> check_options(f, {"c": 2}, label="method='f'")
    Traceback (most recent call last):
    ...
    TypeError: method='f' does not take option 'c'; it takes ['a', 'b'].
    """
    names, var_kw = _parameters(fn)
    if var_kw:
        return
    renamed = getattr(fn, "_renamed", {})
    unknown = [k for k in options if k not in names and k not in reserved and k not in renamed]
    if unknown:
        what = "option" if len(unknown) == 1 else "options"
        listed = ", ".join(repr(k) for k in unknown)
        raise TypeError(f"{label} does not take {what} {listed}; it takes {sorted(names)}.")


class Registry(Mapping):
    """Public name → ``"module:attribute"`` of one family, imported on first use.

    Parameters
    ----------
    family : str
        Used in messages (``"transfer"``, ``"colorization"``...).
    entries : mapping of str to str
        The initial entries.
    """

    def __init__(self, family: str, entries: Mapping[str, str] | None = None):
        self.family = family
        self._targets: dict[str, str] = dict(entries or {})

    def __getitem__(self, name: str) -> str:
        return self._targets[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._targets)

    def __len__(self) -> int:
        return len(self._targets)

    def __repr__(self) -> str:
        return f"Registry({self.family!r}, {self.names()})"

    def names(self) -> list[str]:
        """The registered names, in registration order."""
        return list(self._targets)

    def register(self, name: str, target: str | Callable) -> None:
        """Add (or replace) an entry: a ``"module:attribute"`` string or the object."""
        if not isinstance(name, str) or not name:
            raise TypeError(f"`name` must be a non-empty str, got {name!r}.")
        if not isinstance(target, str):
            target = f"{target.__module__}:{target.__qualname__}"
        self._targets[name] = target

    def check(self, name: object, *, label: str = "method") -> str:
        """`name` if registered, else a ``ValueError`` that lists the choices."""
        if not isinstance(name, str) or name not in self._targets:
            raise ValueError(
                f"{label}={name!r} is not a {self.family} method; choose from {self.names()}."
            )
        return name

    def load(self, name: str, *, label: str = "method") -> Any:
        """Import and return the entry's object."""
        target = self._targets[self.check(name, label=label)]
        try:
            return import_target(target)
        except (ImportError, AttributeError) as err:
            raise ImportError(
                f"{label}={name!r} needs {target}, which is not available: {err}"
            ) from err

    def create(self, name: str, /, **options: Any) -> Any:
        """Build the entry (a class) with `options`, refusing options it does not take."""
        cls = self.load(name)
        check_options(cls, options, label=f"method={name!r}")
        return cls(**options)

    def name_of(self, obj: Any) -> str | None:
        """The registered name of `obj`'s class (or of `obj`), or None."""
        cls = obj if inspect.isclass(obj) or (callable(obj) and not hasattr(obj, "fit")) \
            else type(obj)
        full = f"{cls.__module__}:{cls.__qualname__}"
        for name, target in self._targets.items():
            if target == full:
                return name
        return None
