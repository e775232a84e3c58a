"""Color hints for guided colorization: parse, read, write, rasterize and sample them.

A *hint* says "the pixel at column `x`, row `y` has this color". Hints come as

* a list of ``(x, y, color)`` triples, `color` any spelling
  :func:`chroma.colors.parse_color` reads: a hex string (``"#ff0000"``,
  ``"#f00"``), a color name, three 0-255 ints or three floats in [0, 1];
* a list of dicts ``{"x": 10, "y": 20, "color": "#ff0000"}``, or such a list
  under the key ``"hints"`` of a dict;
* a JSON file holding either of the two forms above (see *File format*);
* a scribble image of the photo's height and width (see *Scribbles*);
* a :class:`Hints` (returned unchanged after a bounds check).

Every form ends up as a :class:`Hints`: integer pixel coordinates plus the
colors as sRGB and as CIELAB. :meth:`Hints.to_dense` turns them into a hint
image plus a mask, the form that optimization colorizers and the CNN's hint
channels consume.

File format
-----------
UTF-8 JSON; ``x`` is the column and ``y`` the row, counted from the top-left
pixel (0, 0); ``color`` is a hex string, a color name or a list of three 0-255 ints::

    {"hints": [{"x": 10, "y": 20, "color": "#ff0000"},
               {"x": 64, "y": 5, "color": [30, 90, 200]}]}

A bare list (``[{"x": ..., "y": ..., "color": ...}, ...]`` or
``[[10, 20, "#ff0000"], ...]``) is accepted too. :func:`write_hints` writes the
first form.

Scribbles
---------
An RGBA image (e.g. strokes painted on a transparent layer and saved as PNG):
every pixel with alpha > 0 is a hint with its RGB color. An RGB image with no
alpha: every *colored* pixel (CIELAB chroma C* > `min_chroma`, 4 by default)
is a hint and every achromatic pixel (black, white, gray, so also the gray
photo itself) is background; this is Levin et al.'s convention of strokes
drawn over the gray photo. A gray stroke ("this stays gray") therefore needs
the RGBA form.

Examples
--------
>>> h = parse_hints([(1, 0, "#ff0000"), (0, 2, (0, 0, 255))], shape=(3, 4))
>>> h.rows, h.cols
(array([0, 2]), array([1, 0]))
>>> h.rgb8
array([[255,   0,   0],
       [  0,   0, 255]], dtype=uint8)
"""

from __future__ import annotations

import json
import numbers
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from chroma._core.validate import check_image, check_random_state, to_float
from chroma.colors import parse_color
from chroma.spaces import _convert_float

__all__ = [
    "Hints",
    "hints_from_scribble",
    "parse_hints",
    "read_hints",
    "sample_hints",
    "write_hints",
]

_IMAGE_SUFFIXES = {".png", ".tif", ".tiff", ".webp", ".bmp", ".gif", ".jpg", ".jpeg", ".ppm"}


@dataclass(frozen=True)
class Hints:
    """Point color hints on an image grid (the common internal form).

    Attributes
    ----------
    rows, cols : ndarray of int64, shape (K,)
        Pixel row (y) and column (x) of each hint.
    rgb : ndarray of float32, shape (K, 3)
        sRGB colors in [0, 1].
    shape : tuple of int or None
        ``(height, width)`` the hints were checked against, if known.

    Examples
    --------
    >>> h = Hints.from_points([(0, 0, (255, 0, 0))], shape=(2, 2))
    >>> h.lab.round(1)
    array([[53.2, 80.1, 67.2]], dtype=float32)
    >>> ab, known = h.to_dense()
    >>> known
    array([[ True, False],
           [False, False]])
    """

    rows: np.ndarray
    cols: np.ndarray
    rgb: np.ndarray
    shape: tuple[int, int] | None = None

    def __post_init__(self):
        rows = np.asarray(self.rows, dtype=np.int64).reshape(-1)
        cols = np.asarray(self.cols, dtype=np.int64).reshape(-1)
        rgb = np.asarray(self.rgb, dtype=np.float32).reshape(-1, 3)
        if not len(rows) == len(cols) == len(rgb):
            raise ValueError(
                f"Hints need as many rows, cols and colors, got {len(rows)}, {len(cols)} and "
                f"{len(rgb)}."
            )
        if not np.isfinite(rgb).all() or (rgb < 0).any() or (rgb > 1).any():
            raise ValueError("Hints.rgb must hold sRGB values in [0, 1].")
        object.__setattr__(self, "rows", rows)
        object.__setattr__(self, "cols", cols)
        object.__setattr__(self, "rgb", rgb)
        if self.shape is not None:
            object.__setattr__(self, "shape", (int(self.shape[0]), int(self.shape[1])))
            self._check_bounds(self.shape)

    # --- constructors -----------------------------------------------------------
    @classmethod
    def from_points(cls, points, *, shape=None) -> Hints:
        """Build from ``(x, y, color)`` triples or ``{"x", "y", "color"}`` dicts."""
        if isinstance(points, dict):
            if "hints" not in points:
                raise ValueError(
                    f'a hints dict must have the key "hints", got keys {sorted(points)}.'
                )
            points = points["hints"]
        if isinstance(points, (str, bytes)) or not hasattr(points, "__iter__"):
            raise TypeError(
                f"`hints` must be a list of (x, y, color), got {type(points).__name__}."
            )
        rows, cols, rgb = [], [], []
        for i, p in enumerate(points):
            if isinstance(p, dict):
                missing = {"x", "y", "color"} - set(p)
                if missing:
                    raise ValueError(f"hint {i} lacks the key(s) {sorted(missing)}: {p!r}.")
                x, y, color = p["x"], p["y"], p["color"]
            elif isinstance(p, (list, tuple)) and len(p) == 3:
                x, y, color = p
            else:
                raise ValueError(
                    f'hint {i} must be (x, y, color) or {{"x", "y", "color"}}, got {p!r}.'
                )
            cols.append(_check_coord(x, "x", i))
            rows.append(_check_coord(y, "y", i))
            rgb.append(parse_color(color, name=f"hint {i} color"))
        rgb_arr = np.array(rgb, dtype=np.float32).reshape(-1, 3)
        return cls(np.array(rows, np.int64), np.array(cols, np.int64), rgb_arr, shape=shape)

    # --- derived ----------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.rows)

    @property
    def rgb8(self) -> np.ndarray:
        """Colors as uint8 sRGB, shape (K, 3)."""
        return np.rint(self.rgb * 255).astype(np.uint8)

    @property
    def lab(self) -> np.ndarray:
        """Colors in CIELAB (D65), shape (K, 3), float32."""
        return _convert_float(self.rgb, "rgb", "lab")

    @property
    def ab(self) -> np.ndarray:
        """a*, b* of the colors, shape (K, 2), float32."""
        return np.ascontiguousarray(self.lab[:, 1:])

    def with_shape(self, shape) -> Hints:
        """Check the hints against an image ``(height, width, ...)``; return them with it."""
        return Hints(self.rows, self.cols, self.rgb, shape=tuple(shape[:2]))

    def to_points(self) -> list[dict]:
        """As a JSON-ready list of ``{"x", "y", "color"}`` with hex colors."""
        return [
            {"x": int(c), "y": int(r), "color": "#{:02x}{:02x}{:02x}".format(*map(int, v))}
            for r, c, v in zip(self.rows, self.cols, self.rgb8)
        ]

    def to_dense(self, shape=None, *, radius: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """Rasterize: a*b* hint image and the mask of hinted pixels.

        Parameters
        ----------
        shape : tuple, optional
            ``(height, width, ...)``; defaults to the shape the hints carry.
        radius : int, optional
            Each hint paints a disk of this radius in pixels (0: its pixel only).
            Where disks overlap the later hint wins.

        Returns
        -------
        ab : ndarray of float32, shape (M, N, 2)
            a*, b* at hinted pixels, 0 elsewhere.
        known : ndarray of bool, shape (M, N)
            True at hinted pixels.
        """
        if shape is None:
            if self.shape is None:
                raise ValueError("`shape` is needed: these hints carry no image shape.")
            shape = self.shape
        h, w = int(shape[0]), int(shape[1])
        self._check_bounds((h, w))
        radius = _check_radius(radius)
        ab = np.zeros((h, w, 2), np.float32)
        known = np.zeros((h, w), bool)
        if len(self) == 0:
            return ab, known
        hint_ab = self.ab
        if radius == 0:
            ab[self.rows, self.cols] = hint_ab
            known[self.rows, self.cols] = True
            return ab, known
        dy, dx = np.mgrid[-radius : radius + 1, -radius : radius + 1]
        disk = dy**2 + dx**2 <= radius * (radius + 0.5)
        dy, dx = dy[disk], dx[disk]
        for r, c, v in zip(self.rows, self.cols, hint_ab):
            rr, cc = r + dy, c + dx
            ok = (rr >= 0) & (rr < h) & (cc >= 0) & (cc < w)
            ab[rr[ok], cc[ok]] = v
            known[rr[ok], cc[ok]] = True
        return ab, known

    def _check_bounds(self, shape) -> None:
        h, w = shape
        bad = (self.rows < 0) | (self.rows >= h) | (self.cols < 0) | (self.cols >= w)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ValueError(
                f"hint {i} at x={self.cols[i]}, y={self.rows[i]} lies outside the image of "
                f"width {w} and height {h} (x must be in [0, {w - 1}], y in [0, {h - 1}])."
            )


def _check_coord(v, axis: str, i: int) -> int:
    if isinstance(v, bool) or not isinstance(v, numbers.Real):
        raise TypeError(f"hint {i}: `{axis}` must be an integer pixel index, got {v!r}.")
    if not float(v).is_integer():
        raise ValueError(f"hint {i}: `{axis}` must be an integer pixel index, got {v!r}.")
    return int(v)


def _check_radius(radius) -> int:
    if isinstance(radius, bool) or not isinstance(radius, numbers.Integral):
        raise TypeError(f"`radius` must be an int >= 0, got {radius!r}.")
    if radius < 0:
        raise ValueError(f"`radius` must be an int >= 0, got {radius!r}.")
    return int(radius)


def hints_from_scribble(scribble, *, min_chroma: float = 4.0, channel_axis: int = -1) -> Hints:
    """Turn a scribble image into hints (see *Scribbles* in the module docstring).

    Parameters
    ----------
    scribble : ndarray (M, N, 3) or (M, N, 4)
        RGBA: pixels with alpha > 0 are hints. RGB: pixels with CIELAB chroma
        above `min_chroma` are hints.
    min_chroma : float, optional
        Chroma threshold for RGB scribbles.
    channel_axis : int, optional
        Channel axis of `scribble`.

    Returns
    -------
    hints : Hints
        One hint per stroke pixel, in raster order, with the scribble's shape.

    Examples
    --------
    >>> s = np.zeros((2, 3, 4), np.uint8)
    >>> s[1, 2] = (255, 0, 0, 255)
    >>> h = hints_from_scribble(s)
    >>> h.rows, h.cols, h.rgb8
    (array([1]), array([2]), array([[255,   0,   0]], dtype=uint8))
    """
    arr = check_image(scribble, name="scribble", channel_axis=channel_axis, channels=(3, 4))
    x, _ = to_float(arr[..., :3], name="scribble")
    if arr.shape[-1] == 4:
        alpha = arr[..., 3]
        on = alpha > 0
    else:
        lab = _convert_float(x, "rgb", "lab")
        on = np.hypot(lab[..., 1], lab[..., 2]) > float(min_chroma)
    rows, cols = np.nonzero(on)
    return Hints(rows, cols, x[rows, cols], shape=arr.shape[:2])


def read_hints(path: str | os.PathLike, *, shape=None) -> Hints:
    """Read hints from a JSON file or a scribble image file.

    Parameters
    ----------
    path : str or path-like
        ``.json`` (see *File format*) or an image (PNG with alpha, ...).
    shape : tuple, optional
        Image ``(height, width, ...)`` to check the hints against.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "h.json"
    >>> _ = p.write_text('{"hints": [{"x": 3, "y": 1, "color": "#00ff00"}]}')
    >>> read_hints(p).to_points()
    [{'x': 3, 'y': 1, 'color': '#00ff00'}]
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no such hints file: {str(path)!r}")
    if path.suffix.lower() in _IMAGE_SUFFIXES:
        from chroma.io import read_image

        h = hints_from_scribble(read_image(path))
        if shape is not None and h.shape != tuple(shape[:2]):
            raise ValueError(
                f"the scribble image {str(path)!r} must have the image's height and width "
                f"{tuple(shape[:2])}, got {h.shape}."
            )
        return h
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise ValueError(f"hints file {str(path)!r} is not valid JSON: {err}") from err
    try:
        return Hints.from_points(data, shape=shape)
    except (TypeError, ValueError) as err:
        raise type(err)(f"in hints file {str(path)!r}: {err}") from err


def write_hints(path: str | os.PathLike, hints, *, overwrite: bool = False) -> None:
    """Write hints as JSON (``{"hints": [{"x", "y", "color": "#rrggbb"}, ...]}``).

    Colors are rounded to 8-bit sRGB.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "hints.json"
    >>> write_hints(path, [(3, 1, "#00ff00"), (0, 2, (255, 128, 0))])
    >>> print(path.read_text().strip())
    {"hints": [
      {"x": 3, "y": 1, "color": "#00ff00"},
      {"x": 0, "y": 2, "color": "#ff8000"}
    ]}
    >>> read_hints(path).to_points()[1]
    {'x': 0, 'y': 2, 'color': '#ff8000'}
    """
    path = Path(path)
    if path.exists() and not overwrite:
        raise FileExistsError(f"{str(path)!r} exists; pass overwrite=True to replace it.")
    h = parse_hints(hints)
    rows = ",\n".join(f"  {json.dumps(p)}" for p in h.to_points())
    text = ("{\"hints\": [\n" + rows + "\n]}") if rows else "{\"hints\": []}"
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text + "\n", encoding="utf-8")
    os.replace(tmp, path)


def parse_hints(hints, shape=None) -> Hints:
    """Turn any accepted hint form into :class:`Hints` (checked against `shape`).

    Parameters
    ----------
    hints : Hints, list, dict, str, path-like or ndarray
        See the module docstring. A str or path is read with :func:`read_hints`;
        an ndarray is a scribble image.
    shape : tuple, optional
        ``(height, width, ...)`` of the image the hints belong to.

    Returns
    -------
    hints : Hints

    Examples
    --------
    >>> parse_hints([(5, 0, "#fff")], shape=(4, 4))
    Traceback (most recent call last):
    ...
    ValueError: hint 0 at x=5, y=0 lies outside the image of width 4 and height 4 (x must be in [0, 3], y in [0, 3]).
    """  # noqa: E501
    if isinstance(hints, Hints):
        h = hints
    elif isinstance(hints, (str, os.PathLike)):
        return read_hints(hints, shape=shape)
    elif isinstance(hints, np.ndarray):
        h = hints_from_scribble(hints)
        if shape is not None and h.shape != tuple(shape[:2]):
            raise ValueError(
                f"the scribble image must have the image's height and width "
                f"{tuple(shape[:2])}, got shape {hints.shape}."
            )
    elif isinstance(hints, (list, tuple, dict)):
        h = Hints.from_points(hints)
    else:
        raise TypeError(
            "`hints` must be a list of (x, y, color), a hints dict, a JSON or scribble file "
            f"path, a scribble image array or a Hints, got {type(hints).__name__}."
        )
    return h if shape is None else h.with_shape(shape)


def sample_hints(truth, n: int, random_state=None, *, channel_axis: int = -1) -> Hints:
    """Draw `n` hints from a ground-truth color image (for evaluation).

    Positions are drawn uniformly without replacement; each hint takes the
    truth's color at its pixel (as float sRGB, not rounded to 8 bits).

    Parameters
    ----------
    truth : ndarray (M, N, 3) or (M, N, 4)
        The color image (alpha ignored).
    n : int
        Number of hints (at most M * N).
    random_state : None, int or numpy Generator
        Seed for the positions.

    Returns
    -------
    hints : Hints
        With ``shape == truth.shape[:2]``.

    Examples
    --------
    >>> truth = np.zeros((4, 5, 3), np.uint8); truth[..., 0] = 200
    >>> h = sample_hints(truth, 3, random_state=0)
    >>> len(h), h.rgb8[0].tolist()
    (3, [200, 0, 0])
    """
    x, _ = to_float(truth, name="truth", channel_axis=channel_axis, channels=(3,))
    h, w = x.shape[:2]
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise TypeError(f"`n` must be an int, got {type(n).__name__}.")
    if not 0 <= n <= h * w:
        raise ValueError(f"`n` must be in [0, {h * w}] for a {h}x{w} image, got {n}.")
    rng = check_random_state(random_state)
    flat = rng.choice(h * w, size=int(n), replace=False)
    rows, cols = np.divmod(flat, w)
    return Hints(rows, cols, x[rows, cols], shape=(h, w))
