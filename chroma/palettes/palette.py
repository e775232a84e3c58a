"""The :class:`Palette`: colors in sRGB and CIELAB, with weights (shares).

Colors, wherever a palette function takes them, are anything
:func:`chroma.colors.parse_colors` reads (hex codes, names, int or float RGB
triplets, a ``(K, 3)`` array) or a :class:`Palette`.
"""

from __future__ import annotations

import numbers
import os
import tempfile
from pathlib import Path

import numpy as np

from chroma._core.validate import check_scalar
from chroma.colors import parse_color, parse_colors, to_hex
from chroma.spaces import _NUMPY_STEPS

__all__ = ["ORDERS", "Palette"]

ORDERS = ("share", "lightness", "hue")


# --- colors --------------------------------------------------------------------------
def _rgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """float64 sRGB ``(K, 3)`` -> Lab, exact (NumPy, float64)."""
    return _NUMPY_STEPS["srgb_to_lab"](np.asarray(rgb, dtype=np.float64).reshape(-1, 3))


def _lab_to_rgb(lab: np.ndarray, clip: bool = True) -> np.ndarray:
    """float64 Lab ``(K, 3)`` -> sRGB (NumPy, float64), clipped to [0, 1] by default."""
    rgb = _NUMPY_STEPS["lab_to_srgb"](np.asarray(lab, dtype=np.float64).reshape(-1, 3))
    return np.clip(rgb, 0.0, 1.0) if clip else rgb


def _parse_colors(colors, name: str) -> np.ndarray:
    """Colors in any accepted form, or a Palette -> float64 sRGB ``(K, 3)`` in [0, 1]."""
    if isinstance(colors, Palette):
        return colors.colors
    return parse_colors(colors, name=name)


def _as_palette(palette, name: str) -> Palette:
    if isinstance(palette, Palette):
        return palette
    return Palette(_parse_colors(palette, name))


# --- the Palette -----------------------------------------------------------------------
class Palette:
    """A list of colors, in sRGB and CIELAB, with weights (shares) summing to 1.

    Parameters
    ----------
    colors : array_like of shape (K, 3) or list of str
        Float sRGB in [0, 1], integer sRGB in [0, 255], or hex codes.
    weights : array_like of shape (K,), optional
        Non-negative; normalized to sum 1. Default: equal weights.

    Attributes
    ----------
    colors : ndarray of float64, shape (K, 3)
        sRGB in [0, 1].
    lab : ndarray of float64, shape (K, 3)
        The same colors in CIELAB (D65).
    weights : ndarray of float64, shape (K,)

    Examples
    --------
    >>> pal = Palette.from_hex(["#ff0000", "#00ff00"], weights=[3, 1])
    >>> pal
    Palette(['#ff0000', '#00ff00'], weights=[0.75, 0.25])
    >>> pal.lab.round(1)
    array([[ 53.2,  80.1,  67.2],
           [ 87.7, -86.2,  83.2]])
    >>> pal.swatch(width=8, height=1)[0, :, 0]
    array([255, 255, 255, 255, 255, 255,   0,   0], dtype=uint8)
    """

    def __init__(self, colors, weights=None):
        rgb = _parse_colors(colors, "colors")
        k = len(rgb)
        if weights is None:
            w = np.full(k, 1.0 / k)
        else:
            w = np.asarray(weights, dtype=np.float64).reshape(-1)
            if w.shape != (k,):
                raise ValueError(
                    f"`weights` must have one value per color ({k}), got shape {w.shape}."
                )
            if not np.isfinite(w).all() or w.min() < 0 or w.sum() <= 0:
                raise ValueError(
                    f"`weights` must be finite, non-negative and not all zero, got {w.tolist()}."
                )
            w = w / w.sum()
        self._rgb = np.ascontiguousarray(rgb, dtype=np.float64)
        self._lab = _rgb_to_lab(self._rgb)
        self._weights = w
        for a in (self._rgb, self._lab, self._weights):
            a.flags.writeable = False

    # constructors
    @classmethod
    def from_hex(cls, codes, weights=None) -> Palette:
        """Build a palette from hex codes (``"#rrggbb"`` or ``"#rgb"``).

        Examples
        --------
        >>> Palette.from_hex(["#abc", "102030"]).to_hex()
        ['#aabbcc', '#102030']
        """
        if isinstance(codes, str):
            codes = [codes]
        if not isinstance(codes, (list, tuple)) or not all(isinstance(c, str) for c in codes):
            raise TypeError(f"`codes` must be a list of hex strings, got {codes!r}.")
        if not codes:
            raise ValueError("`codes` is empty; a palette needs at least one color.")
        return cls([parse_color(c, name="codes") for c in codes], weights)

    @classmethod
    def from_lab(cls, lab, weights=None) -> Palette:
        """Build a palette from CIELAB colors.

        Colors outside sRGB lose chroma at constant L* and hue
        (:func:`chroma.spaces.gamut.lab_to_srgb_keep_lightness`).

        Examples
        --------
        >>> Palette.from_lab([[50.0, 0.0, 0.0], [60.0, 0.0, -150.0]]).lab[:, 0].round(1)
        array([50., 60.])
        """
        from chroma.spaces.gamut import lab_to_srgb_keep_lightness

        lab = np.asarray(lab, dtype=np.float64)
        if lab.ndim != 2 or lab.shape[1] != 3 or not np.isfinite(lab).all():
            raise ValueError(f"`lab` must be finite, of shape (K, 3), got shape {lab.shape}.")
        return cls(lab_to_srgb_keep_lightness(lab), weights)

    # views
    @property
    def colors(self) -> np.ndarray:
        return self._rgb

    @property
    def lab(self) -> np.ndarray:
        return self._lab

    @property
    def weights(self) -> np.ndarray:
        return self._weights

    def __len__(self) -> int:
        return len(self._rgb)

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        """``np.asarray(palette)``: the ``(K, 3)`` float sRGB colors (so any color
        parameter of chroma, read by :func:`chroma.colors.parse_colors`, takes a palette)."""
        return np.array(self._rgb, dtype=dtype)

    def __eq__(self, other) -> bool:
        if not isinstance(other, Palette):
            return NotImplemented
        return (
            len(self) == len(other)
            and np.allclose(self._rgb, other._rgb, atol=1e-9)
            and np.allclose(self._weights, other._weights, atol=1e-9)
        )

    __hash__ = None

    def __repr__(self) -> str:
        w = ", ".join(f"{v:.3g}" for v in self._weights)
        return f"Palette({self.to_hex()}, weights=[{w}])"

    def to_hex(self) -> list[str]:
        """The colors as ``"#rrggbb"`` strings (rounded to 8 bits)."""
        return to_hex(self._rgb)

    def to_uint8(self) -> np.ndarray:
        """The colors as a ``(K, 3)`` uint8 array (rounded)."""
        return np.rint(self._rgb * 255.0).astype(np.uint8)

    def sorted(self, by: str = "share") -> Palette:
        """A copy ordered by ``"share"`` (largest first), ``"lightness"`` (dark first)
        or ``"hue"`` (by hue angle from red; near-grays, C* < 8, last by lightness).

        Examples
        --------
        >>> Palette.from_hex(["#ffffff", "#000000"]).sorted("lightness").to_hex()
        ['#000000', '#ffffff']
        """
        if by not in ORDERS:
            raise ValueError(f"order={by!r} is not an order; choose from {list(ORDERS)}.")
        L, a, b = self._lab.T
        if by == "share":
            idx = np.lexsort((L, -self._weights))
        elif by == "lightness":
            idx = np.lexsort((-self._weights, L))
        else:
            hue = np.degrees(np.arctan2(b, a)) % 360.0
            gray = np.hypot(a, b) < 8.0
            idx = np.lexsort((L, np.where(gray, 0.0, hue), gray))
        return Palette(self._rgb[idx], self._weights[idx])

    def swatch(self, width: int = 480, height: int = 64) -> np.ndarray:
        """An image of the colors side by side, each as wide as its weight.

        Every color gets at least one column.

        Parameters
        ----------
        width, height : int, optional
            Size of the image in pixels; `width` must be at least ``len(self)``.

        Returns
        -------
        swatch : ndarray of uint8, shape (height, width, 3)
        """
        k = len(self)
        width = check_scalar(width, "width", numbers.Integral, low=1)
        height = check_scalar(height, "height", numbers.Integral, low=1)
        if width < k:
            raise ValueError(f"`width` must be at least the number of colors ({k}), got {width}.")
        spare = width - k
        exact = self._weights * spare
        cols = np.floor(exact).astype(int)
        short = spare - cols.sum()  # largest remainders get the leftover columns
        cols[np.argsort(-(exact - cols), kind="stable")[:short]] += 1
        cols += 1
        idx = np.repeat(np.arange(k), cols)
        row = self.to_uint8()[idx]
        return np.ascontiguousarray(np.broadcast_to(row, (height, width, 3)))

    # files
    def save(self, path, *, overwrite: bool = False) -> None:
        """Write the palette; the format follows the extension.

        ``.json`` keeps everything exactly (float sRGB, Lab, weights);
        ``.gpl`` (GIMP/Inkscape/Krita) and ``.css`` (custom properties
        ``--palette-1: #rrggbb;``) store 8-bit colors and the weights (in the
        color names / comments); ``.hex`` is one hex code per line (Lospec).

        Parameters
        ----------
        path : str or path-like
        overwrite : bool, optional
            Replace an existing file (refused by default).

        Examples
        --------
        >>> import tempfile, os
        >>> path = os.path.join(tempfile.mkdtemp(), "p.gpl")
        >>> pal = Palette.from_hex(["#102030", "#f0e0d0"], weights=[1, 3])
        >>> pal.save(path)
        >>> Palette.load(path) == pal
        True
        """
        from chroma.palettes.formats import format_of_path, to_format

        path = Path(path)
        fmt = format_of_path(path, "save")
        if path.exists() and not overwrite:
            raise FileExistsError(
                f"{str(path)!r} exists; pass overwrite=True (--overwrite) to replace it."
            )
        text = to_format(self, fmt, name=path.stem)
        folder = path.parent if str(path.parent) else Path(".")
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
                f.write(text)
            os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise

    @classmethod
    def load(cls, path) -> Palette:
        """Read a palette saved by :meth:`save` (or by GIMP, or a CSS/hex file).

        Parameters
        ----------
        path : str or path-like
            ``.json``, ``.gpl``, ``.css`` or ``.hex``.
        """
        from chroma.palettes.formats import format_of_path, from_format

        path = Path(path)
        fmt = format_of_path(path, "load")
        if not path.exists():
            raise FileNotFoundError(f"no such palette file: {str(path)!r}")
        try:
            return from_format(path.read_text(encoding="utf-8"), fmt)
        except ValueError as err:
            raise ValueError(f"cannot read palette {str(path)!r}: {err}") from None
