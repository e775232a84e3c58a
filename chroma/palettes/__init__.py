"""Palettes: extract, store, quantize to, recolor with, and tone by colors.

* :func:`extract_palette` / :class:`KMeansPalette` — k-means in CIELAB over
  every pixel of the image (summarized exactly by a 32³ color histogram with
  per-bin mean colors), deterministic for a seed; weights are pixel shares.
* :class:`Palette` — colors in sRGB and Lab with weights; hex codes, a swatch
  image, and files: JSON, GIMP ``.gpl``, CSS custom properties, ``.hex``.
* :func:`quantize` — every pixel to its nearest palette color in Lab, with
  optional Floyd–Steinberg dithering.
* :func:`recolor` / :class:`PaletteTransfer` — palette-based recoloring in the
  spirit of Chang et al. [1]_: a monotonic lightness curve plus per-color a*b*
  offsets blended by smooth radial-basis weights, so that gradients stay
  smooth; :func:`replace_color` changes one color ("make the red car blue").

Colors, wherever a function takes them, are hex strings (``"#ff8800"``,
``"f80"``), float RGB triplets in [0, 1], integer RGB triplets in [0, 255], an
``(K, 3)`` array of those, or a :class:`Palette`.

References
----------
.. [1] H. Chang, O. Fried, Y. Liu, S. DiVerdi, A. Finkelstein, "Palette-based
       Photo Recoloring", ACM Transactions on Graphics 34(4) (SIGGRAPH), 2015.
.. [2] R. W. Floyd, L. Steinberg, "An adaptive algorithm for spatial
       greyscale", Proc. Society for Information Display 17(2), 1976.

Examples
--------
>>> img = np.zeros((4, 6, 3), dtype=np.uint8)
>>> img[:, :2] = (255, 0, 0)
>>> pal = extract_palette(img, n_colors=2, random_state=0)
>>> pal.to_hex(), pal.weights.round(3).tolist()
(['#000000', '#ff0000'], [0.667, 0.333])
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path

import numpy as np

from chroma._core.base import ColorStep
from chroma._core.validate import (
    check_fitted,
    check_image,
    check_mask,
    check_random_state,
    check_strength,
    to_float,
    working_copy,
)
from chroma.spaces import _NUMPY_STEPS, _convert_float
from chroma.transfers._base import ColorTransfer

__all__ = [
    "FORMATS",
    "KMeansPalette",
    "Palette",
    "PaletteTransfer",
    "extract_palette",
    "quantize",
    "recolor",
    "replace_color",
]

FORMATS = (".json", ".gpl", ".css", ".hex")
ORDERS = ("share", "lightness", "hue")
from chroma._core.parallel import NUMBA_MIN_PIXELS as _NUMBA_MIN_PIXELS
_HEX = re.compile(r"^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
_CHUNK = 1 << 20  # pixels per chunk in recolor (bounds the (P, K) temporaries)


# --- colors --------------------------------------------------------------------------
def _rgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """float64 sRGB ``(K, 3)`` -> Lab, exact (NumPy, float64)."""
    return _NUMPY_STEPS["srgb_to_lab"](np.asarray(rgb, dtype=np.float64).reshape(-1, 3))


def _lab_to_rgb(lab: np.ndarray, clip: bool = True) -> np.ndarray:
    """float64 Lab ``(K, 3)`` -> sRGB (NumPy, float64), clipped to [0, 1] by default."""
    rgb = _NUMPY_STEPS["lab_to_srgb"](np.asarray(lab, dtype=np.float64).reshape(-1, 3))
    return np.clip(rgb, 0.0, 1.0) if clip else rgb


def _parse_hex(code: str, name: str) -> np.ndarray:
    match = _HEX.match(code.strip())
    if not match:
        raise ValueError(
            f"`{name}` has {code!r}, which is not a hex color; use '#rrggbb' or '#rgb'."
        )
    h = match.group(1)
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    return np.array([int(h[i : i + 2], 16) for i in (0, 2, 4)], dtype=np.float64) / 255.0


def _parse_colors(colors, name: str) -> np.ndarray:
    """Colors in any accepted form -> float64 sRGB ``(K, 3)`` in [0, 1]."""
    if isinstance(colors, Palette):
        return colors.colors
    if isinstance(colors, str):
        return _parse_hex(colors, name)[None]
    if isinstance(colors, (list, tuple)) and colors and all(isinstance(c, str) for c in colors):
        return np.stack([_parse_hex(c, name) for c in colors])
    try:
        arr = np.asarray(colors)
    except (ValueError, TypeError):
        arr = None
    if arr is None or arr.dtype == object or arr.dtype.kind not in "iuf" or arr.size == 0:
        raise TypeError(
            f"`{name}` must be hex strings, RGB triplets or a Palette, got {colors!r}."
        )
    if arr.ndim == 1:
        arr = arr[None]
    if arr.ndim != 2 or arr.shape[1] != 3:
        raise ValueError(f"`{name}` must be RGB triplets of shape (K, 3), got shape {arr.shape}.")
    if arr.dtype.kind in "iu":
        if arr.min() < 0 or arr.max() > 255:
            raise ValueError(f"`{name}`: integer RGB values must lie in [0, 255], got {colors!r}.")
        return arr.astype(np.float64) / 255.0
    arr = arr.astype(np.float64)
    if not np.isfinite(arr).all() or arr.min() < 0 or arr.max() > 1:
        raise ValueError(
            f"`{name}`: float RGB values must lie in [0, 1] (use ints for 0-255), got "
            f"range [{np.nanmin(arr):g}, {np.nanmax(arr):g}]."
        )
    return arr


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
        return cls([_parse_hex(c, "codes") for c in codes], weights)

    @classmethod
    def from_lab(cls, lab, weights=None) -> Palette:
        """Build a palette from CIELAB colors (out-of-gamut colors are clipped in sRGB)."""
        lab = np.asarray(lab, dtype=np.float64)
        if lab.ndim != 2 or lab.shape[1] != 3 or not np.isfinite(lab).all():
            raise ValueError(f"`lab` must be finite, of shape (K, 3), got shape {lab.shape}.")
        return cls(_lab_to_rgb(lab), weights)

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
        u8 = np.rint(self._rgb * 255.0).astype(int)
        return ["#{:02x}{:02x}{:02x}".format(*c) for c in u8]

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
        for name, v in (("width", width), ("height", height)):
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
                raise ValueError(f"`{name}` must be a positive int, got {v!r}.")
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
        path = Path(path)
        ext = _format_of(path, "save")
        if path.exists() and not overwrite:
            raise FileExistsError(
                f"{str(path)!r} exists; pass overwrite=True (--overwrite) to replace it."
            )
        text = {".json": _to_json, ".gpl": _to_gpl, ".css": _to_css, ".hex": _to_hexfile}[ext](
            self, path.stem
        )
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
        path = Path(path)
        ext = _format_of(path, "load")
        if not path.exists():
            raise FileNotFoundError(f"no such palette file: {str(path)!r}")
        text = path.read_text(encoding="utf-8")
        reader = {".json": _from_json, ".gpl": _from_gpl, ".css": _from_css, ".hex": _from_hexfile}
        try:
            colors, weights = reader[ext](text)
        except (ValueError, KeyError, TypeError, IndexError) as err:
            raise ValueError(f"cannot read palette {str(path)!r}: {err}") from None
        if not len(colors):
            raise ValueError(f"cannot read palette {str(path)!r}: it holds no colors")
        if weights is not None and (len(weights) != len(colors) or sum(weights) <= 0):
            weights = None
        return cls(colors, weights)


def _format_of(path: Path, verb: str) -> str:
    ext = path.suffix.lower()
    if ext not in FORMATS:
        raise ValueError(
            f"cannot {verb} palette {str(path)!r}: unknown extension {ext or '(none)'!r}; "
            f"use one of {list(FORMATS)}."
        )
    return ext


def _to_json(pal: Palette, name: str) -> str:
    entries = [
        {"hex": h, "rgb": rgb.tolist(), "lab": lab.tolist(), "weight": float(w)}
        for h, rgb, lab, w in zip(pal.to_hex(), pal.colors, pal.lab, pal.weights)
    ]
    return json.dumps({"format": "chroma.palettes", "version": 1, "name": name,
                       "colors": entries}, indent=2) + "\n"


def _from_json(text: str):
    data = json.loads(text)
    if isinstance(data, dict):
        data = data["colors"]
    if not isinstance(data, list):
        raise ValueError("expected a list of colors or {'colors': [...]}")
    colors, weights = [], []
    for entry in data:
        if isinstance(entry, str):
            colors.append(_parse_hex(entry, "palette file"))
            weights.append(1.0)
        else:
            rgb = entry.get("rgb")
            colors.append(
                np.asarray(rgb, dtype=np.float64) if rgb is not None
                else _parse_hex(entry["hex"], "palette file")
            )
            weights.append(float(entry.get("weight", 1.0)))
    return np.array(colors), weights


def _to_gpl(pal: Palette, name: str) -> str:
    lines = ["GIMP Palette", f"Name: {name}", f"Columns: {len(pal)}", "#",
             "# written by chroma; each name holds the color's share of the image"]
    for (r, g, b), h, w in zip(pal.to_uint8().tolist(), pal.to_hex(), pal.weights):
        lines.append(f"{r:3d} {g:3d} {b:3d}\t{h} share={float(w):.6g}")
    return "\n".join(lines) + "\n"


def _from_gpl(text: str):
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


def _to_css(pal: Palette, name: str) -> str:
    lines = [f"/* palette {name}, written by chroma; comments hold each color's share */",
             ":root {"]
    for i, (h, w) in enumerate(zip(pal.to_hex(), pal.weights), 1):
        lines.append(f"  --palette-{i}: {h}; /* share {float(w):.6g} */")
    return "\n".join([*lines, "}"]) + "\n"


_CSS_VAR = re.compile(
    r"--[\w-]+\s*:\s*(#[0-9a-fA-F]{3,6})\s*;(?:[ \t]*/\*\s*share\s+([0-9.eE+-]+)\s*\*/)?"
)


def _from_css(text: str):
    found = _CSS_VAR.findall(text)
    colors = [_parse_hex(h, "palette file") for h, _ in found]
    weights = [float(w) for _, w in found] if found and all(w for _, w in found) else None
    return np.array(colors), weights


def _to_hexfile(pal: Palette, name: str) -> str:
    return "\n".join(h[1:] for h in pal.to_hex()) + "\n"


def _from_hexfile(text: str):
    codes = [s.strip() for s in text.splitlines() if s.strip() and not s.startswith(";")]
    return np.array([_parse_hex(c, "palette file") for c in codes]), None


# --- extraction ------------------------------------------------------------------------
def _np_color_histogram(img, scale, weights, use_weights):
    """NumPy twin of :func:`chroma.palettes._kernels.color_histogram`."""
    from chroma.palettes._kernels import BITS, NBINS

    v = np.asarray(img, dtype=np.float64).reshape(-1, 3)
    b = np.clip((v * scale).astype(np.int64), 0, (1 << BITS) - 1)
    k = (b[:, 0] << (2 * BITS)) | (b[:, 1] << BITS) | b[:, 2]
    w = np.asarray(weights, dtype=np.float64).reshape(-1) if use_weights else np.ones(len(v))
    counts = np.bincount(k, weights=w, minlength=NBINS)
    sums = np.stack([np.bincount(k, weights=w * v[:, c], minlength=NBINS) for c in range(3)], 1)
    return counts, sums


def _histogram(arr: np.ndarray, weights: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Non-empty histogram bins of an (M, N, 3) image: their weights and mean sRGB."""
    if arr.dtype == np.uint8:
        maxval = 255.0
    elif arr.dtype == np.uint16:
        maxval = 65535.0
    else:
        maxval = 1.0
        if arr.dtype != np.float32 and arr.dtype != np.float64:
            arr = arr.astype(np.float32)
    scale = 32.0 / (maxval + 1.0) if maxval > 1 else 32.0
    use_w = weights is not None
    w = weights if use_w else np.ones((1, 1), dtype=np.float32)
    if arr.shape[0] * arr.shape[1] >= _NUMBA_MIN_PIXELS:
        import numba

        from chroma.palettes import _kernels as K
        nchunks = int(min(max(numba.get_num_threads(), 1) * 2, arr.shape[0]))
        if arr.dtype == np.uint8 and not use_w:
            counts, sums = K.color_histogram_u8(arr, nchunks)
        else:
            counts, sums = K.color_histogram(arr, scale, w, use_w, nchunks)
    else:
        counts, sums = _np_color_histogram(arr, scale, w, use_w)
    nz = np.flatnonzero(counts > 0)
    if not len(nz):
        raise ValueError("`mask` (or the alpha channel) selects no pixels; nothing to extract.")
    mean = np.clip(sums[nz] / (counts[nz, None] * maxval), 0.0, 1.0)
    return counts[nz], mean


def _split(image, name: str, mask) -> tuple[np.ndarray, np.ndarray | None]:
    """Channels-last RGB view of `image` (no copy) and the per-pixel weights (mask * alpha)."""
    arr = check_image(image, name=name)
    if arr.ndim == 2:
        arr = arr[..., None]
    alpha = None
    if arr.shape[-1] in (2, 4):
        alpha = arr[..., -1]
        arr = arr[..., :-1]
    if arr.shape[-1] == 1:
        arr = np.broadcast_to(arr, (*arr.shape[:2], 3))
    if arr.dtype == np.float16:
        arr = arr.astype(np.float32)
    weights = None
    if mask is not None:
        weights = check_mask(mask, arr.shape, name="mask")
    if alpha is not None:
        a = alpha.astype(np.float32)
        if alpha.dtype.kind == "u":
            a /= np.float32(np.iinfo(alpha.dtype).max)
        a = np.clip(a, 0, 1)
        weights = a if weights is None else weights * a
    return arr, None if weights is None else np.ascontiguousarray(weights, dtype=np.float32)


_CONTROLLER = None
_N_INIT = 4  # k-means restarts (k-means++ starts) in extract_palette


def _threadpools():
    """A cached threadpoolctl controller (building one scans the loaded libraries)."""
    global _CONTROLLER
    if _CONTROLLER is None:
        from threadpoolctl import ThreadpoolController

        _CONTROLLER = ThreadpoolController()
    return _CONTROLLER


def _kmeans_palette(counts, mean_rgb, n_colors, rng, order) -> Palette:
    """Weighted k-means in Lab over histogram bins -> Palette ordered by `order`."""
    lab = _rgb_to_lab(mean_rgb)
    if len(lab) <= n_colors:  # no more distinct colors than asked for: they are the palette
        centers, shares = lab, counts
    else:
        from sklearn.cluster import KMeans

        seed = int(rng.integers(0, 2**31 - 1))
        km = KMeans(n_clusters=n_colors, n_init=_N_INIT, random_state=seed)
        # a few thousand points: OpenMP threads cost more than they give (much more on a
        # busy machine), so k-means runs on one thread
        with _threadpools().limit(limits=1, user_api="openmp"):
            labels = km.fit(lab, sample_weight=counts).labels_
        shares = np.bincount(labels, weights=counts, minlength=n_colors)
        sums = np.stack(
            [np.bincount(labels, weights=counts * lab[:, c], minlength=n_colors)
             for c in range(3)], 1,
        )
        keep = shares > 0
        centers, shares = sums[keep] / shares[keep, None], shares[keep]
    return Palette.from_lab(centers, shares).sorted(order)


def _check_n_colors(n_colors) -> int:
    if isinstance(n_colors, bool) or not isinstance(n_colors, (int, np.integer)) or not (
        1 <= n_colors <= 256
    ):
        raise ValueError(f"`n_colors` must be an int in [1, 256], got {n_colors!r}.")
    return int(n_colors)


def _check_order(order) -> str:
    if order not in ORDERS:
        raise ValueError(f"order={order!r} is not an order; choose from {list(ORDERS)}.")
    return order


def extract_palette(
    image,
    n_colors: int = 6,
    *,
    mask=None,
    random_state=None,
    order: str = "share",
    channel_axis: int = -1,
) -> Palette:
    """The `n_colors` dominant colors of `image`, by k-means in CIELAB.

    Every pixel counts: one pass builds a 32×32×32 sRGB histogram that keeps
    the exact mean color of each bin, and weighted k-means (scikit-learn,
    k-means++ with 4 restarts) clusters the bins' Lab colors. Palette colors
    are the clusters' mean Lab colors; weights are their shares of the
    pixels. An image with at most `n_colors` distinct bins gives those colors
    exactly (and a shorter palette when there are fewer).

    Parameters
    ----------
    image : ndarray
        RGB(A) or gray image; uint8, uint16 or float in [0, 1]. Alpha weights
        the pixels (transparent ones do not count).
    n_colors : int, optional
        Number of colors (1 to 256).
    mask : ndarray of shape (M, N), optional
        bool or float in [0, 1]: pixels count by their mask value.
    random_state : None, int or numpy.random.Generator, optional
        Seed of the k-means initialization; the same seed gives the same palette.
    order : {"share", "lightness", "hue"}, optional
        Order of the colors: largest share first, dark to light, or by hue.
    channel_axis : int, optional
        Channel axis of `image`.

    Returns
    -------
    palette : Palette

    See Also
    --------
    KMeansPalette : the same as an estimator whose ``transform`` quantizes.

    Examples
    --------
    >>> img = np.zeros((10, 10, 3)); img[:, :3] = (1.0, 0.6, 0.0)
    >>> extract_palette(img, 3, random_state=0)
    Palette(['#000000', '#ff9900'], weights=[0.7, 0.3])
    """
    n_colors = _check_n_colors(n_colors)
    order = _check_order(order)
    if channel_axis not in (-1, 2):
        image = check_image(image, channel_axis=channel_axis)  # now channels-last
    arr, weights = _split(image, "image", mask)
    counts, mean_rgb = _histogram(arr, weights)
    return _kmeans_palette(counts, mean_rgb, n_colors, check_random_state(random_state), order)


class KMeansPalette(ColorStep):
    """Palette extraction as an estimator: ``fit`` learns a palette, ``transform`` quantizes.

    Parameters
    ----------
    n_colors : int, optional
        Number of colors.
    order : {"share", "lightness", "hue"}, optional
        Order of ``palette_``'s colors.
    dither : bool, optional
        Floyd–Steinberg dithering in ``transform``.
    random_state : None, int or numpy.random.Generator, optional
        Seed of the k-means initialization.

    Attributes
    ----------
    palette_ : Palette
        The palette of the reference.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> img = rng.integers(0, 256, (16, 16, 3), dtype=np.uint8)
    >>> km = KMeansPalette(4, random_state=0).fit(img)
    >>> len(km.palette_), km.transform(img).dtype
    (4, dtype('uint8'))
    >>> len(np.unique(km.transform(img).reshape(-1, 3), axis=0))
    4
    """

    def __init__(self, n_colors: int = 6, *, order: str = "share", dither: bool = False,
                 random_state=None):
        self.n_colors = n_colors
        self.order = order
        self.dither = dither
        self.random_state = random_state

    def fit(self, reference, /, *, reference_mask=None, channel_axis: int = -1):
        """Extract the palette of `reference` (see :func:`extract_palette`)."""
        self.palette_ = extract_palette(
            reference, self.n_colors, mask=reference_mask, random_state=self.random_state,
            order=self.order, channel_axis=channel_axis,
        )
        return self

    def transform(self, image, /, *, region=None, channel_axis: int = -1):
        """Quantize `image` to ``palette_`` (see :func:`quantize`); `region` is unused."""
        check_fitted(self, "palette_")
        return quantize(image, self.palette_, dither=self.dither, channel_axis=channel_axis)


# --- quantization ----------------------------------------------------------------------
def _np_nearest(lab, centers):
    """NumPy twin of :func:`chroma.palettes._kernels.nearest`."""
    lab = np.asarray(lab, dtype=np.float64)
    d = ((lab[:, None, :] - np.asarray(centers, dtype=np.float64)[None]) ** 2).sum(-1)
    return d.argmin(1).astype(np.int32)


def _np_dither_fs(lab, centers):
    """NumPy twin of :func:`chroma.palettes._kernels.dither_fs` (plain loops; small images)."""
    work = np.asarray(lab, dtype=np.float64).copy()
    centers = np.asarray(centers, dtype=np.float64)
    m, n = work.shape[:2]
    out = np.empty((m, n), dtype=np.int32)
    for i in range(m):
        for j in range(n):
            v = work[i, j]
            best = int(((centers - v) ** 2).sum(1).argmin())
            out[i, j] = best
            e = v - centers[best]
            if j + 1 < n:
                work[i, j + 1] += e * (7 / 16)
            if i + 1 < m:
                if j > 0:
                    work[i + 1, j - 1] += e * (3 / 16)
                work[i + 1, j] += e * (5 / 16)
                if j + 1 < n:
                    work[i + 1, j + 1] += e * (1 / 16)
    return out


def _labels(lab: np.ndarray, centers: np.ndarray, dither: bool) -> np.ndarray:
    """Palette index of every pixel of an (M, N, 3) float32 Lab image."""
    m, n = lab.shape[:2]
    if dither:
        from chroma.palettes import _kernels as K
        return K.dither_fs(lab, centers)
    flat = lab.reshape(-1, 3)
    if len(flat) >= _NUMBA_MIN_PIXELS:
        from chroma.palettes import _kernels as K
        return K.nearest(flat, centers).reshape(m, n)
    return _np_nearest(flat, centers).reshape(m, n)


def quantize(image, palette, *, dither: bool = False, return_labels: bool = False,
             channel_axis: int = -1):
    """Replace every pixel by the nearest palette color in CIELAB.

    Parameters
    ----------
    image : ndarray
        RGB(A) or gray image (gray comes back RGB); uint8, uint16 or float.
    palette : Palette, list of hex str or array_like of shape (K, 3)
        The colors to use.
    dither : bool, optional
        Floyd–Steinberg error diffusion [2]_ (in Lab, raster order) instead
        of plain nearest colors: smoother gradients, grainier flat areas.
    return_labels : bool, optional
        Also return the ``(M, N)`` palette index of each pixel.
    channel_axis : int, optional
        Channel axis of `image` and of the result.

    Returns
    -------
    out : ndarray
        Same dtype and alpha as `image`, holding only palette colors.
    labels : ndarray of int32, shape (M, N)
        Only with ``return_labels=True``.

    Examples
    --------
    >>> img = np.array([[[250, 10, 10], [10, 10, 240]]], dtype=np.uint8)
    >>> quantize(img, ["#ff0000", "#0000ff", "#ffffff"])
    array([[[255,   0,   0],
            [  0,   0, 255]]], dtype=uint8)
    """
    pal = _as_palette(palette, "palette")
    x, restore = to_float(image, channel_axis=channel_axis, channels=(3,), gray_to_rgb=True)
    lab = _convert_float(x, "rgb", "lab")
    labels = _labels(lab, np.ascontiguousarray(pal.lab), bool(dither))
    out = restore(pal.colors.astype(np.float32)[labels])
    return (out, labels) if return_labels else out


# --- recoloring ------------------------------------------------------------------------
def _isotonic(y: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted least-squares non-decreasing fit to `y` (pool adjacent violators)."""
    blocks: list[list[float]] = []  # [mean, weight, count]
    for yi, wi in zip(y, w):
        blocks.append([float(yi), float(wi), 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            m2, w2, c2 = blocks.pop()
            m1, w1, c1 = blocks.pop()
            blocks.append([(m1 * w1 + m2 * w2) / (w1 + w2), w1 + w2, c1 + c2])
    return np.concatenate([np.full(c, m) for m, _, c in blocks])


def _lightness_curve(src_L: np.ndarray, tgt_L: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Knots of the monotonic piecewise-linear L* map through (0,0), the pairs, (100,100).

    Source lightnesses that tie are pooled; target lightnesses that would
    reverse the order are evened out by isotonic regression (Chang et al.
    keep the edited palette's lightness order for the same reason).
    """
    order = np.argsort(src_L, kind="stable")
    xs, ys = np.clip(src_L[order], 0, 100), np.clip(tgt_L[order], 0, 100)
    ux, inv, cnt = np.unique(np.round(xs, 9), return_inverse=True, return_counts=True)
    uy = np.bincount(inv, weights=ys) / cnt
    uy = _isotonic(uy, cnt.astype(float))
    return np.concatenate([[0.0], ux, [100.0]]), np.concatenate([[0.0], uy, [100.0]])


def _rbf_params(src: np.ndarray) -> tuple[float, np.ndarray]:
    """Chang et al.'s RBF kernel width and interpolation matrix for palette `src` (K, 3).

    ``gamma = 1 / (2 σ²)`` with σ the mean distance between palette colors,
    and ``lam = Φ⁻¹`` (pseudo-inverse) with ``Φ_ij = exp(-gamma |s_i - s_j|²)``,
    so that the weights of a pixel equal to ``s_i`` are exactly ``e_i``.
    """
    k = len(src)
    if k == 1:
        return 0.0, np.ones((1, 1))
    d2 = ((src[:, None] - src[None]) ** 2).sum(-1)
    sigma = max(float(np.sqrt(d2)[np.triu_indices(k, 1)].mean()), 1e-6)
    gamma = 1.0 / (2.0 * sigma * sigma)
    return gamma, np.linalg.pinv(np.exp(-gamma * d2))


def _rbf_weights(lab: np.ndarray, src: np.ndarray, gamma: float, lam: np.ndarray) -> np.ndarray:
    """Normalized, non-negative RBF weights of pixels (P, 3) w.r.t. colors (K, 3)."""
    k = len(src)
    d2 = ((lab[:, None, :] - src[None]) ** 2).sum(-1)
    w = np.exp(-gamma * d2) @ lam
    np.maximum(w, 0.0, out=w)
    s = w.sum(1, keepdims=True)
    far = s[:, 0] < 1e-12
    w /= np.where(s < 1e-12, 1.0, s)
    w[far] = 1.0 / k
    return w


def _recolor_params(src: np.ndarray, tgt: np.ndarray):
    xk, yk = _lightness_curve(src[:, 0], tgt[:, 0])
    gamma, lam = _rbf_params(src)
    delta_ab = np.ascontiguousarray(tgt[:, 1:] - src[:, 1:])
    return np.ascontiguousarray(src, dtype=np.float64), gamma, lam, delta_ab, xk, yk


def _np_recolor_lab(lab, src, gamma, lam, delta_ab, xk, yk) -> np.ndarray:
    """NumPy twin of :func:`chroma.palettes._kernels.recolor_lab` (float32 out)."""
    out = np.empty(lab.shape, dtype=np.float32)
    for s in range(0, len(lab), _CHUNK):
        part = lab[s : s + _CHUNK].astype(np.float64)
        w = _rbf_weights(part, src, gamma, lam)
        out[s : s + _CHUNK, 0] = np.interp(part[:, 0], xk, yk)
        out[s : s + _CHUNK, 1:] = part[:, 1:] + w @ delta_ab
    return out


def _recolor_lab(lab: np.ndarray, src: np.ndarray, tgt: np.ndarray) -> np.ndarray:
    """Recolor float (P, 3) Lab pixels from palette `src` (K, 3) to `tgt` (K, 3); float32 out."""
    params = _recolor_params(src, tgt)
    lab = np.ascontiguousarray(lab, dtype=np.float32)
    if len(lab) >= _NUMBA_MIN_PIXELS:
        from chroma.palettes import _kernels as K
        return K.recolor_lab(lab, *params)
    return _np_recolor_lab(lab, *params)


def _recolor_rgb(rgb: np.ndarray, src: np.ndarray, tgt: np.ndarray) -> np.ndarray:
    """Recolor float32 sRGB pixels (P, 3); float32 sRGB out, clipped to [0, 1]."""
    lab = _convert_float(rgb, "rgb", "lab")
    return _convert_float(_recolor_lab(lab, src, tgt), "lab", "rgb")


def recolor(image, source_palette, target_palette, *, mask=None, channel_axis: int = -1):
    """Move each color of `source_palette` to the matching one of `target_palette`.

    Palette-based recoloring in the spirit of Chang et al. [1]_: lightness
    goes through a monotonic piecewise-linear curve through (0, 0), each
    ``(source L*, target L*)`` pair and (100, 100), so lightness order (and
    with it shading and edges) is kept; a*b* move by the palette offsets
    ``target - source`` blended with radial-basis weights that are smooth in
    Lab, interpolate exactly (a pixel equal to a source color gets that
    color's offset alone), are clamped to be non-negative and sum to one.
    Colors that leave the sRGB gamut are clipped per channel (the paper's
    gamut-aware scaling is not implemented).

    Parameters
    ----------
    image : ndarray
        RGB(A) or gray image; uint8, uint16 or float in [0, 1].
    source_palette, target_palette : Palette, list of hex str or array_like of shape (K, 3)
        Paired colors: ``source_palette[i]`` becomes ``target_palette[i]``.
        Usually the source is ``extract_palette(image)`` and the target an
        edited copy.
    mask : ndarray of shape (M, N), optional
        bool or float in [0, 1]: where to recolor; 0 leaves the pixel unchanged.
    channel_axis : int, optional
        Channel axis of `image` and of the result.

    Returns
    -------
    out : ndarray
        Same shape (gray comes back RGB), dtype and alpha as `image`.

    See Also
    --------
    replace_color : change one color only, leaving the others alone.
    PaletteTransfer : pair two images' palettes automatically.

    Examples
    --------
    >>> img = np.array([[[200, 30, 30], [30, 30, 200]]], dtype=np.uint8)
    >>> src = ["#c81e1e", "#1e1ec8"]
    >>> recolor(img, src, src)
    array([[[200,  30,  30],
            [ 30,  30, 200]]], dtype=uint8)
    >>> recolor(img, src, ["#1ec81e", "#1e1ec8"])[0, 0]
    array([ 30, 200,  30], dtype=uint8)
    """
    src = _as_palette(source_palette, "source_palette")
    tgt = _as_palette(target_palette, "target_palette")
    if len(src) != len(tgt):
        raise ValueError(
            f"`source_palette` and `target_palette` must have the same number of colors, "
            f"got {len(src)} and {len(tgt)}."
        )
    from chroma.compositing import _land

    arr = check_image(image, channel_axis=channel_axis)
    x, restore = working_copy(arr, channels=(3,), gray_to_rgb=True)
    m = None if mask is None else check_mask(mask, x.shape, name="mask")
    flat = x.reshape(-1, 3)
    if m is not None:  # only where it lands (the rest is the input's anyway)
        sel = m.reshape(-1) > 0
        out = flat.copy()
        out[sel] = _recolor_rgb(flat[sel], src.lab, tgt.lab)
    else:
        out = _recolor_rgb(flat, src.lab, tgt.lab)
    return _land(x, out.reshape(x.shape), m, restore, arr, channel_axis)


def _parse_one(color, name: str) -> np.ndarray:
    rgb = _parse_colors(color, name)
    if len(rgb) != 1:
        raise ValueError(f"`{name}` must be one color, got {len(rgb)}.")
    return rgb[0]


_REPLACE_KL = 0.25  # weight of lightness differences in replace_color's distance
_REPLACE_KC = 0.25  # weight of chroma differences


def replace_color(image, source_color, target_color, *, tolerance: float = 12.0,
                  strength: float = 1.0, mask=None, channel_axis: int = -1):
    """Change one color of `image` into another ("make the red car blue").

    Pixels near `source_color` take `target_color`'s hue, chroma and
    lightness *relative to their own*: hue is rotated by the hue difference,
    chroma scaled by the chroma ratio, lightness mapped by a monotonic curve
    through ``(source L*, target L*)``, so the shading of the object is kept.
    (For a near-gray source color, C* < 10, a*b* are shifted instead.)
    The effect fades with the distance to `source_color`::

        d = sqrt((ΔL*/4)² + (ΔC*/4)² + ΔH*²)

    (mostly the hue difference ΔH*, in a*b* units: lightness and chroma
    differences count a quarter, so shadows and highlights of the object
    follow), at full strength for ``d <= tolerance`` and smoothly down to
    zero at ``d = 2 * tolerance``; pixels with less than 10 % of the source's
    chroma (grays) are left alone, fading in up to 30 %. Colors of similar
    hue elsewhere change too; pass a `mask` to keep the change on one object.

    Parameters
    ----------
    image : ndarray
        RGB(A) image; uint8, uint16 or float in [0, 1].
    source_color, target_color : str or array_like of shape (3,)
        Hex code or RGB triplet (float in [0, 1] or int in [0, 255]).
    tolerance : float, optional
        Distance in ΔE units (see above) within which colors change fully.
    strength : float, optional
        Scales the change, in [0, 1].
    mask : ndarray of shape (M, N), optional
        Where the change may happen (bool or float in [0, 1]).
    channel_axis : int, optional
        Channel axis of `image` and of the result.

    Returns
    -------
    out : ndarray
        Same shape, dtype and alpha as `image`.

    Examples
    --------
    >>> img = np.array([[[200, 20, 20], [20, 160, 20]]], dtype=np.uint8)
    >>> replace_color(img, "#c81414", "#1414c8")
    array([[[ 20,  20, 200],
            [ 20, 160,  20]]], dtype=uint8)
    """
    s_rgb = _parse_one(source_color, "source_color")
    t_rgb = _parse_one(target_color, "target_color")
    if isinstance(tolerance, bool) or not isinstance(tolerance, (int, float, np.number)) or not (
        np.isfinite(tolerance) and tolerance > 0
    ):
        raise ValueError(f"`tolerance` must be a positive number, got {tolerance!r}.")
    strength = check_strength(strength)
    from chroma.compositing import _land

    arr = check_image(image, channel_axis=channel_axis)
    x, restore = working_copy(arr, channels=(3,), gray_to_rgb=True)
    m = None if mask is None else check_mask(mask, x.shape, name="mask")
    s_lab, t_lab = _rgb_to_lab(s_rgb)[0], _rgb_to_lab(t_rgb)[0]
    lab = _convert_float(x, "rgb", "lab").reshape(-1, 3)
    out_lab = np.empty(lab.shape, dtype=np.float32)
    xk, yk = _lightness_curve(s_lab[:1], t_lab[:1])
    s_c, t_c = np.hypot(*s_lab[1:]), np.hypot(*t_lab[1:])
    s_h = np.arctan2(s_lab[2], s_lab[1])
    rot = np.arctan2(t_lab[2], t_lab[1]) - s_h
    for s in range(0, len(lab), _CHUNK):
        p = lab[s : s + _CHUNK].astype(np.float64)
        c = np.hypot(p[:, 1], p[:, 2])
        dh = 2.0 * np.sqrt(c * s_c) * np.sin((np.arctan2(p[:, 2], p[:, 1]) - s_h) / 2.0)
        d = np.sqrt((_REPLACE_KL * (p[:, 0] - s_lab[0])) ** 2
                    + (_REPLACE_KC * (c - s_c)) ** 2 + dh**2)
        t = np.clip(2.0 - d / tolerance, 0.0, 1.0)  # 1 inside tolerance, 0 beyond twice it
        w = strength * t * t * (3.0 - 2.0 * t)  # smoothstep
        if s_c >= 10.0:  # near-neutral pixels have no hue to speak of: leave them alone
            u = np.clip((c / s_c - 0.1) / 0.2, 0.0, 1.0)
            w *= u * u * (3.0 - 2.0 * u)
        new = np.empty_like(p)
        new[:, 0] = np.interp(p[:, 0], xk, yk)
        if s_c >= 10.0:
            cos, sin, ratio = np.cos(rot), np.sin(rot), t_c / s_c
            new[:, 1] = ratio * (cos * p[:, 1] - sin * p[:, 2])
            new[:, 2] = ratio * (sin * p[:, 1] + cos * p[:, 2])
        else:
            new[:, 1:] = p[:, 1:] + (t_lab[1:] - s_lab[1:])
        out_lab[s : s + _CHUNK] = p + w[:, None] * (new - p)
    out = _convert_float(out_lab, "lab", "rgb").reshape(x.shape)
    return _land(x, out, m, restore, arr, channel_axis)


class PaletteTransfer(ColorTransfer):
    """Palette transfer: recolor an image with the palette of a reference.

    ``fit(reference)`` extracts the reference's palette (or takes a
    :class:`Palette`); ``transform(image)`` extracts the image's palette with
    as many colors, pairs the two by optimal assignment in Lab
    (:func:`scipy.optimize.linear_sum_assignment` on ΔE76) and calls
    :func:`recolor`. Also ``chroma.transfer(image, reference, method="palette")``.

    Parameters
    ----------
    n_colors : int, optional
        Colors per palette.
    strength : float, optional
        Blend of the result with the input, in [0, 1].
    keep_luminance : bool, optional
        Keep the input's L* (change colors only).
    random_state : None, int or numpy.random.Generator, optional
        Seed of both palette extractions.

    Attributes
    ----------
    palette_ : Palette
        The reference's palette.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> img = rng.integers(0, 256, (8, 8, 3), dtype=np.uint8)
    >>> ref = rng.integers(0, 256, (6, 6, 3), dtype=np.uint8)
    >>> PaletteTransfer(3, random_state=0).fit(ref).transform(img).shape
    (8, 8, 3)
    """

    _spaces = ("rgb",)  # the base hands over sRGB pixels; Lab happens inside
    _fitted_attr = "palette_"
    _uses_image_stats = True

    def __init__(self, n_colors: int = 5, *, strength: float = 1.0,
                 keep_luminance: bool = False, random_state=None):
        self.n_colors = n_colors
        self.strength = strength
        self.keep_luminance = keep_luminance
        self.random_state = random_state

    def fit(self, reference, /, *, reference_mask=None, channel_axis: int = -1):
        """Learn the reference's palette; `reference` may be an image or a :class:`Palette`."""
        if isinstance(reference, Palette):
            _check_n_colors(self.n_colors)
            self._check_params()
            self.palette_ = reference
            self.n_features_in_ = 3
            return self
        return super().fit(reference, reference_mask=reference_mask, channel_axis=channel_axis)

    def _palette_of(self, pixels: np.ndarray, n: int) -> Palette:
        counts, mean = _histogram(pixels[:, None, :], None)
        rng = check_random_state(self.random_state)
        return _kmeans_palette(counts, mean, n, rng, "share")

    def _fit_pixels(self, ref: np.ndarray) -> None:
        self.palette_ = self._palette_of(ref, _check_n_colors(self.n_colors))

    def pairs(self, image) -> tuple[Palette, Palette]:
        """The image's palette and the reference colors paired with it (source, target)."""
        check_fitted(self, "palette_")
        x, _ = to_float(image, channels=(3,), gray_to_rgb=True)
        return self._pairs(x.reshape(-1, 3))

    def _pairs(self, stats: np.ndarray) -> tuple[Palette, Palette]:
        from scipy.optimize import linear_sum_assignment

        src = self._palette_of(stats, len(self.palette_))
        cost = np.sqrt(((src.lab[:, None] - self.palette_.lab[None]) ** 2).sum(-1))
        rows, cols = linear_sum_assignment(cost)
        src = Palette(src.colors[rows], src.weights[rows])
        return src, Palette(self.palette_.colors[cols], self.palette_.weights[cols])

    def _transform_pixels(self, pixels: np.ndarray, stats: np.ndarray) -> np.ndarray:
        src, tgt = self._pairs(stats)
        return _recolor_rgb(pixels, src.lab, tgt.lab)
