"""Lazy attributes for packages: names that import their module on first use.

Examples
--------
>>> __getattr__, __dir__ = lazy_attributes("demo", {"sqrt": "math"}, globals())
>>> __getattr__("sqrt")(9.0)
3.0
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_attributes"]


def lazy_attributes(package: str, table: Mapping[str, str], namespace: dict
                    ) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``(__getattr__, __dir__)`` for a package whose `table` maps name -> module.

    A name is imported from its module on first access and cached in
    `namespace` (the package's ``globals()``).
    """

    def __getattr__(name: str) -> Any:
        if name in table:
            value = getattr(importlib.import_module(table[name]), name)
            namespace[name] = value
            return value
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(table))

    return __getattr__, __dir__
