"""Modules that can be called like their main function.

``chroma.transfer``, ``chroma.blend`` and ``chroma.colorize`` are both
submodules (``chroma.colorize.prior``, ...) and functions
(``chroma.colorize(gray)``). Python binds a submodule to its parent's
attribute on import, which would hide a function of the same name; making
the module itself callable keeps both spellings working.
"""

from __future__ import annotations

import sys
import types


def make_callable(module_name: str, function_name: str) -> None:
    """Make ``sys.modules[module_name](...)`` call its ``function_name``."""
    module = sys.modules[module_name]

    class _CallableModule(types.ModuleType):
        def __call__(self, *args, **kwargs):
            return getattr(self, function_name)(*args, **kwargs)

    _CallableModule.__name__ = f"callable_module<{module_name}>"
    module.__class__ = _CallableModule
