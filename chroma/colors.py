"""The one color parser: hex codes, CSS names and RGB triplets to float sRGB.

Every function of chroma that takes a color (palettes, masks, toning,
hints, splash backgrounds) reads it through :func:`parse_color` or
:func:`parse_colors`, so the same spellings work everywhere:

* hex codes ``"#ff8800"``, ``"#f80"``, with or without the ``#``, any case;
* CSS names: the 16 basic CSS colors plus a few common extended ones
  (``"orange"``, ``"brown"``, ``"pink"``...; see :data:`NAMED_COLORS`);
* RGB triplets. **The type decides the range, never the values**: integers
  (Python ``int``, NumPy integer dtypes) are 0-255, floats are 0-1. So
  ``(1, 0, 0)`` is a very dark red (1/255) and ``(1.0, 0.0, 0.0)`` pure red;
  a float triplet above 1 (``(255.0, 0.0, 0.0)``) is an error that says to
  pass ints, rather than being guessed.

Examples
--------
>>> parse_color("#f80").round(3)
array([1.   , 0.533, 0.   ])
>>> parse_colors(["red", (0, 0, 255), (0.0, 1.0, 0.0)])
array([[1., 0., 0.],
       [0., 0., 1.],
       [0., 1., 0.]])
"""

from __future__ import annotations

import re

import numpy as np

__all__ = ["NAMED_COLORS", "parse_color", "parse_colors", "to_hex"]

#: CSS color names (CSS Color Module Level 4 values) that :func:`parse_color` knows.
NAMED_COLORS: dict[str, str] = {
    # the 16 basic CSS / HTML 4 colors
    "black": "#000000", "silver": "#c0c0c0", "gray": "#808080", "white": "#ffffff",
    "maroon": "#800000", "red": "#ff0000", "purple": "#800080", "fuchsia": "#ff00ff",
    "green": "#008000", "lime": "#00ff00", "olive": "#808000", "yellow": "#ffff00",
    "navy": "#000080", "blue": "#0000ff", "teal": "#008080", "aqua": "#00ffff",
    # aliases and a few common extended names
    "grey": "#808080", "magenta": "#ff00ff", "cyan": "#00ffff", "orange": "#ffa500",
    "brown": "#a52a2a", "pink": "#ffc0cb", "gold": "#ffd700", "indigo": "#4b0082",
    "violet": "#ee82ee", "beige": "#f5f5dc", "tan": "#d2b48c", "coral": "#ff7f50",
    "salmon": "#fa8072", "crimson": "#dc143c", "turquoise": "#40e0d0",
    "skyblue": "#87ceeb", "darkgreen": "#006400", "darkblue": "#00008b",
    "lightgray": "#d3d3d3", "lightgrey": "#d3d3d3", "darkgray": "#a9a9a9",
    "darkgrey": "#a9a9a9",
}

_HEX = re.compile(r"#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})")


def _from_str(text: str, name: str) -> np.ndarray:
    key = text.strip().lower()
    code = NAMED_COLORS.get(key.replace(" ", ""), key)
    match = _HEX.fullmatch(code)
    if not match:
        raise ValueError(
            f"`{name}` has {text!r}, which is not a hex color ('#rrggbb' or '#rgb') or a known "
            f"color name such as 'red' (see chroma.colors.NAMED_COLORS)."
        )
    digits = match.group(1)
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    return np.array([int(digits[i : i + 2], 16) for i in (0, 2, 4)], dtype=np.float64) / 255.0


def _from_numbers(arr: np.ndarray, value, name: str) -> np.ndarray:
    """(K, 3) numeric array -> float64 sRGB in [0, 1], the range set by the dtype."""
    if arr.dtype.kind in "iu":
        if arr.size and (arr.min() < 0 or arr.max() > 255):
            raise ValueError(
                f"`{name}`: integer RGB values must lie in [0, 255], got {value!r}."
            )
        return arr.astype(np.float64) / 255.0
    out = arr.astype(np.float64)
    if not np.isfinite(out).all() or (out.size and (out.min() < 0 or out.max() > 1)):
        raise ValueError(
            f"`{name}`: float RGB values must lie in [0, 1] (pass ints for 0-255), got "
            f"{value!r}."
        )
    return out


def parse_colors(values, *, name: str = "colors") -> np.ndarray:
    """Parse one or several colors into a float64 ``(K, 3)`` sRGB array in [0, 1].

    Parameters
    ----------
    values : str, sequence of str or triplets, array_like of shape (3,) or (K, 3)
        Hex codes, color names, or RGB triplets (ints in [0, 255] or floats
        in [0, 1]; see the module docstring). An object with an ``__array__``
        method, such as a :class:`chroma.Palette`, is read as its array.
        One color gives ``K = 1``.
    name : str, optional
        The argument's name, for error messages.

    Returns
    -------
    rgb : ndarray of float64, shape (K, 3)

    Raises
    ------
    TypeError
        `values` is not a color or a sequence of colors.
    ValueError
        A string is not a hex code or a known name, a triplet has the wrong
        length or lies outside its range, or `values` is empty.

    Examples
    --------
    >>> parse_colors("#ff0000")
    array([[1., 0., 0.]])
    >>> parse_colors([[255, 128, 0], [0, 0, 0]]).round(3)
    array([[1.   , 0.502, 0.   ],
           [0.   , 0.   , 0.   ]])
    >>> parse_colors(["#000", "nope"])
    Traceback (most recent call last):
    ...
    ValueError: `colors` has 'nope', which is not a hex color ...
    """
    if isinstance(values, str):
        return _from_str(values, name)[None]
    if isinstance(values, (list, tuple)):
        if any(isinstance(v, str) for v in values):
            return np.stack([parse_color(v, name=name) for v in values])
        if any(isinstance(u, bool) for v in values for u in (v if isinstance(v, (list, tuple))
                                                               else (v,))):
            raise TypeError(f"`{name}` must hold numbers, not bools, got {values!r}.")
    try:
        arr = np.asarray(values)
    except (TypeError, ValueError):  # ragged nested sequences
        arr = None
    if arr is None or arr.dtype == object or arr.dtype.kind not in "iuf":  # bool arrays too
        raise TypeError(
            f"`{name}` must be hex strings, color names or RGB triplets, got "
            f"{type(values).__name__} ({values!r})."
        )
    if arr.size == 0:
        raise ValueError(f"`{name}` is empty; give at least one color.")
    if arr.ndim == 1:
        arr = arr[None]
    if arr.ndim != 2 or arr.shape[1] != 3:
        raise ValueError(
            f"`{name}` must be RGB triplets, shape (3,) or (K, 3), got shape {arr.shape}."
        )
    return _from_numbers(arr, values, name)


def parse_color(value, *, name: str = "color") -> np.ndarray:
    """Parse one color into a float64 ``(3,)`` sRGB array in [0, 1].

    Parameters
    ----------
    value : str or array_like of shape (3,)
        ``"#rrggbb"``, ``"#rgb"`` (``#`` optional), a color name, or an RGB
        triplet: ints in [0, 255] or floats in [0, 1] (the type decides).
    name : str, optional
        The argument's name, for error messages.

    Returns
    -------
    rgb : ndarray of float64, shape (3,)

    Raises
    ------
    TypeError
        `value` is not a string or a triplet of numbers.
    ValueError
        Not a known color, a triplet outside its range, or several colors.

    Examples
    --------
    >>> parse_color("0f0")
    array([0., 1., 0.])
    >>> parse_color((255, 0, 0)), parse_color((1.0, 0.0, 0.0))
    (array([1., 0., 0.]), array([1., 0., 0.]))
    >>> parse_color((255.0, 0.0, 0.0), name="background")
    Traceback (most recent call last):
    ...
    ValueError: `background`: float RGB values must lie in [0, 1] (pass ints for 0-255), ...
    """
    if isinstance(value, str):
        return _from_str(value, name)
    rgb = parse_colors(value, name=name)
    if len(rgb) != 1 or np.ndim(value) != 1:
        raise ValueError(f"`{name}` must be one color, got {len(rgb)}: {value!r}.")
    return rgb[0]


def to_hex(rgb) -> list[str]:
    """Float sRGB in [0, 1], shape (3,) or (K, 3), to ``"#rrggbb"`` codes (rounded to 8 bits).

    Examples
    --------
    >>> to_hex([[1.0, 0.5, 0.0]])
    ['#ff8000']
    """
    u8 = np.rint(np.clip(np.asarray(rgb, dtype=np.float64).reshape(-1, 3), 0, 1) * 255.0)
    return ["#{:02x}{:02x}{:02x}".format(*c) for c in u8.astype(int)]
