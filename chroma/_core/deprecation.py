"""Renamed parameters: the old name keeps working for a while, with a DeprecationWarning.

Examples
--------
>>> import warnings
>>> def f(x, *, falloff=1.0, softness=UNSET):
...     return renamed(falloff, softness, old="softness", new="falloff", default=1.0)
>>> f(0, falloff=3.0)
3.0
>>> with warnings.catch_warnings(record=True) as w:
...     warnings.simplefilter("always")
...     f(0, softness=2.0), w[0].category.__name__
(2.0, 'DeprecationWarning')
"""

from __future__ import annotations

import warnings

__all__ = ["UNSET", "renamed"]


class _Unset:
    def __repr__(self) -> str:
        return "<unset>"


#: default of a deprecated parameter: "not passed"
UNSET = _Unset()


def renamed(value, old_value, *, old: str, new: str, default, stacklevel: int = 3):
    """The value of a renamed parameter: `value` (new name) unless only `old` was passed.

    Parameters
    ----------
    value : object
        What the new name received (its default if not passed).
    old_value : object
        What the old name received, :data:`UNSET` if not passed.
    old, new : str
        The two names, for the messages.
    default : object
        The new name's default: passing both names is an error.
    stacklevel : int, optional
        Where the warning points: 3 is the caller of the function that calls this.

    Raises
    ------
    TypeError
        Both names were passed.
    """
    if old_value is UNSET:
        return value
    same = value is default or (isinstance(value, (int, float, str)) and value == default)
    if not same:
        raise TypeError(f"`{old}` is the old name of `{new}`; pass `{new}` only.")
    warnings.warn(f"`{old}` is deprecated and will be removed; use `{new}` (same meaning).",
                  DeprecationWarning, stacklevel=stacklevel)
    return old_value
