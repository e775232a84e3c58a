"""Palette files and text: JSON, GIMP ``.gpl``, CSS custom properties, ``.hex``.

* :func:`to_format` / :func:`from_format`: a palette to the text of a format
  and back (``"json"``, ``"gpl"``, ``"css"``, ``"hex"``);
* :func:`to_json`, :func:`to_gpl`, :func:`to_css`, :func:`to_hex_file`: the
  writers one by one;
* :meth:`Palette.save <chroma.palettes.Palette.save>` and
  :meth:`Palette.load <chroma.palettes.Palette.load>` choose the format by the
  file's extension (:data:`FORMATS`).

``json`` keeps everything exactly (float sRGB, Lab, weights); ``gpl``
(GIMP/Inkscape/Krita) and ``css`` store 8-bit colors and the weights (in the
color names / comments); ``hex`` is one hex code per line (Lospec), no weights.

Examples
--------
>>> from chroma.palettes import Palette
>>> pal = Palette(["#102030", "#f0e0d0"], weights=[1, 3])
>>> print(to_format(pal, "css", name="demo"), end="")
/* palette demo, written by chroma; comments hold each color's share */
:root {
  --palette-1: #102030; /* share 0.25 */
  --palette-2: #f0e0d0; /* share 0.75 */
}
>>> from_format(to_format(pal, "gpl"), "gpl") == pal
True
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np

from chroma.colors import parse_color
from chroma.palettes.palette import Palette

__all__ = ["FORMATS", "from_format", "to_css", "to_format", "to_gpl", "to_hex_file", "to_json"]

#: file extensions that Palette.save and Palette.load understand
FORMATS = (".json", ".gpl", ".css", ".hex")


def _fmt(fmt) -> str:
    """``"json"`` or ``".json"`` (any case) -> ``"json"``."""
    if not isinstance(fmt, str):
        raise TypeError(f"`fmt` must be a str such as 'json', got {type(fmt).__name__}.")
    key = fmt.lower().lstrip(".")
    if f".{key}" not in FORMATS:
        raise ValueError(
            f"fmt={fmt!r} is not a palette format; choose from "
            f"{[f[1:] for f in FORMATS]}."
        )
    return key


def format_of_path(path: Path, verb: str) -> str:
    """The format (``"json"``...) that the extension of `path` names."""
    ext = Path(path).suffix.lower()
    if ext not in FORMATS:
        raise ValueError(
            f"cannot {verb} palette {str(path)!r}: unknown extension {ext or '(none)'!r}; "
            f"use one of {list(FORMATS)}."
        )
    return ext[1:]


def to_json(palette: Palette, name: str = "palette") -> str:
    """JSON text: per color its hex code, float sRGB, Lab and weight (exact).

    Examples
    --------
    >>> pal = Palette(["#ff0000", "#0080ff"], weights=[3, 1])
    >>> import json
    >>> data = json.loads(to_json(pal, "two"))
    >>> data["name"], [c["hex"] for c in data["colors"]], data["colors"][0]["weight"]
    ('two', ['#ff0000', '#0080ff'], 0.75)
    """
    entries = [
        {"hex": h, "rgb": rgb.tolist(), "lab": lab.tolist(), "weight": float(w)}
        for h, rgb, lab, w in zip(palette.to_hex(), palette.colors, palette.lab, palette.weights)
    ]
    return json.dumps({"format": "chroma.palettes", "version": 1, "name": name,
                       "colors": entries}, indent=2) + "\n"


def _read_json(text: str):
    data = json.loads(text)
    if isinstance(data, dict):
        data = data["colors"]
    if not isinstance(data, list):
        raise ValueError("expected a list of colors or {'colors': [...]}")
    colors, weights = [], []
    for entry in data:
        if isinstance(entry, str):
            colors.append(parse_color(entry, name="palette file"))
            weights.append(1.0)
        else:
            rgb = entry.get("rgb")
            colors.append(
                np.asarray(rgb, dtype=np.float64) if rgb is not None
                else parse_color(entry["hex"], name="palette file")
            )
            weights.append(float(entry.get("weight", 1.0)))
    return np.array(colors), weights


def to_gpl(palette: Palette, name: str = "palette") -> str:
    """A GIMP palette (8-bit colors; each color's name holds its share).

    Examples
    --------
    >>> pal = Palette(["#ff0000", "#0080ff"], weights=[3, 1])
    >>> print(to_gpl(pal, "two"), end="")
    GIMP Palette
    Name: two
    Columns: 2
    #
    # written by chroma; each name holds the color's share of the image
    255   0   0 #ff0000 share=0.75
      0 128 255 #0080ff share=0.25
    """
    lines = ["GIMP Palette", f"Name: {name}", f"Columns: {len(palette)}", "#",
             "# written by chroma; each name holds the color's share of the image"]
    for (r, g, b), h, w in zip(palette.to_uint8().tolist(), palette.to_hex(), palette.weights):
        lines.append(f"{r:3d} {g:3d} {b:3d}\t{h} share={float(w):.6g}")
    return "\n".join(lines) + "\n"


def _read_gpl(text: str):
    lines = text.splitlines()
    if not lines or lines[0].strip() != "GIMP Palette":
        raise ValueError("the first line is not 'GIMP Palette'")
    colors, weights = [], []
    for line in lines[1:]:
        s = line.strip()
        if not s or s.startswith("#") or re.match(r"^(Name|Columns)\s*:", s):
            continue
        parts = s.split(None, 3)
        colors.append([int(p) for p in parts[:3]])
        m = re.search(r"share=([0-9.eE+-]+)", parts[3] if len(parts) > 3 else "")
        weights.append(float(m.group(1)) if m else None)
    if any(w is None for w in weights):
        weights = None
    return np.array(colors, dtype=np.int64), weights


def to_css(palette: Palette, name: str = "palette") -> str:
    """CSS custom properties ``--palette-1: #rrggbb;`` (shares in comments).

    Examples
    --------
    >>> pal = Palette(["#ff0000", "#0080ff"], weights=[3, 1])
    >>> print(to_css(pal, "two"), end="")
    /* palette two, written by chroma; comments hold each color's share */
    :root {
      --palette-1: #ff0000; /* share 0.75 */
      --palette-2: #0080ff; /* share 0.25 */
    }
    """
    lines = [f"/* palette {name}, written by chroma; comments hold each color's share */",
             ":root {"]
    for i, (h, w) in enumerate(zip(palette.to_hex(), palette.weights), 1):
        lines.append(f"  --palette-{i}: {h}; /* share {float(w):.6g} */")
    return "\n".join([*lines, "}"]) + "\n"


_CSS_VAR = re.compile(
    r"--[\w-]+\s*:\s*(#[0-9a-fA-F]{3,6})\s*;(?:[ \t]*/\*\s*share\s+([0-9.eE+-]+)\s*\*/)?"
)


def _read_css(text: str):
    found = _CSS_VAR.findall(text)
    colors = [parse_color(h, name="palette file") for h, _ in found]
    weights = [float(w) for _, w in found] if found and all(w for _, w in found) else None
    return np.array(colors), weights


def to_hex_file(palette: Palette, name: str = "palette") -> str:
    """One hex code per line, without ``#`` (Lospec's ``.hex``); `name` is not stored.

    Examples
    --------
    >>> pal = Palette(["#ff0000", "#0080ff"], weights=[3, 1])
    >>> print(to_hex_file(pal), end="")
    ff0000
    0080ff
    """
    return "\n".join(h[1:] for h in palette.to_hex()) + "\n"


def _read_hex_file(text: str):
    codes = [s.strip() for s in text.splitlines() if s.strip() and not s.startswith(";")]
    return np.array([parse_color(c, name="palette file") for c in codes]), None


_WRITERS = {"json": to_json, "gpl": to_gpl, "css": to_css, "hex": to_hex_file}
_READERS = {"json": _read_json, "gpl": _read_gpl, "css": _read_css, "hex": _read_hex_file}


def to_format(palette: Palette, fmt: str, *, name: str = "palette") -> str:
    """The text of `palette` in format `fmt`.

    Parameters
    ----------
    palette : Palette
    fmt : {"json", "gpl", "css", "hex"}
        The format (a leading dot, as in an extension, is accepted).
    name : str, optional
        The palette's name, written where the format has one.

    Returns
    -------
    text : str
        Ends with a newline.

    Examples
    --------
    >>> pal = Palette(["#ff0000", "#0080ff"], weights=[3, 1])
    >>> to_format(pal, ".hex") == to_hex_file(pal)
    True
    >>> to_format(pal, "png")
    Traceback (most recent call last):
    ...
    ValueError: ...
    """
    if not isinstance(palette, Palette):
        raise TypeError(f"`palette` must be a Palette, got {type(palette).__name__}.")
    return _WRITERS[_fmt(fmt)](palette, name)


def from_format(text: str, fmt: str) -> Palette:
    """Read a palette from the text of a file in format `fmt`.

    Parameters
    ----------
    text : str
    fmt : {"json", "gpl", "css", "hex"}

    Returns
    -------
    palette : Palette
        Equal weights when the text holds none (or inconsistent ones).

    Raises
    ------
    ValueError
        The text is not in that format or holds no colors.

    Examples
    --------
    >>> pal = Palette(["#ff0000", "#0080ff"], weights=[3, 1])
    >>> back = from_format(to_gpl(pal), "gpl")
    >>> back.to_hex(), back.weights.tolist()
    (['#ff0000', '#0080ff'], [0.75, 0.25])
    >>> from_format(to_hex_file(pal), "hex").weights.tolist()  # no shares: equal weights
    [0.5, 0.5]
    """
    if not isinstance(text, str):
        raise TypeError(f"`text` must be a str, got {type(text).__name__}.")
    reader = _READERS[_fmt(fmt)]
    try:
        colors, weights = reader(text)
    except (ValueError, KeyError, TypeError, IndexError, AttributeError) as err:
        raise ValueError(f"not a {fmt} palette ({err})") from None
    if not len(colors):
        raise ValueError("it holds no colors")
    if weights is not None and (len(weights) != len(colors) or sum(weights) <= 0):
        weights = None
    return Palette(colors, weights)
